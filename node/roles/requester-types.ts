/** The requester role's parameters, outcomes and progress events. */
import type { Address, Hex32 } from "../../protocol/bytes.js";

/** What `Requester.requestProof` takes. */
export interface ProofRequestParams {
  marketId: number;
  /** The public inputs exactly as the market's verifier takes them (`abi.encode(uint256[N])` for snarkjs markets). */
  publicInputs: Uint8Array;
  /** The witness (for the snarkjs markets: UTF-8 JSON of every circuit input; see prover-inputs.ts). */
  witness?: Uint8Array;
  /** Highest price paid, wei; the prover is paid its quote, the rest stays in the deposit. */
  maxPrice: bigint;
  /** Seconds the prover gets from assignment to proof. */
  provingTime: number;
  /** Seconds from now (chain time) the request may wait for a prover. */
  assignWithinS: number;
}

/** Wall-clock timings of one request, in ms from when it was published. */
export interface RequestTimings {
  /** Wall time (ms since epoch) the request was published. */
  publishedAt: number;
  /** Published -> assigned on-chain. */
  assignedMs?: number;
  /** Published -> proof verified on-chain. */
  verifiedMs?: number;
}

/** How a request ended; branch on `code`. */
export type ProofOutcome =
  | {
      code: "PROVEN";
      requestId: Hex32;
      prover: Address;
      price: bigint;
      /** The fulfilling transaction. */
      txHash: string;
      /** The proof the verifier accepted (undefined only if neither calldata nor gossip had it). */
      proof: Uint8Array | undefined;
      publicInputs: Uint8Array | undefined;
      timings: RequestTimings;
    }
  | {
      /** The prover missed its deadline: the requester got its payment back plus `compensation - price`. */
      code: "SLASHED";
      requestId: Hex32;
      prover: Address;
      /** Wei credited to the requester's deposit (the price and its share of the collateral). */
      compensation: bigint;
      txHash: string;
      timings: RequestTimings;
    }
  | {
      /** No prover took it before assign-by: nothing was escrowed, the deposit is untouched. */
      code: "UNASSIGNED";
      requestId: Hex32;
      timings: RequestTimings;
    };

/** A step in a request's life, as it happens. */
export type RequestProgress =
  | { kind: "published"; requestId: Hex32; recipients: number }
  | { kind: "assigned"; requestId: Hex32; prover: Address; price: bigint; deadline: number }
  | { kind: "verified"; requestId: Hex32; txHash: string }
  | { kind: "slashed"; requestId: Hex32; txHash: string; compensation: bigint }
  | { kind: "unassigned"; requestId: Hex32 };

/** A RequestProgress as an Event whose `type` is the progress kind. */
export class RequestProgressEvent extends Event {
  constructor(readonly progress: RequestProgress) {
    super(progress.kind);
  }
}

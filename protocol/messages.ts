/**
 * The messages of the Kalypso protocol (DESIGN §3). Money is bigint wei; times are chain seconds;
 * addresses and hashes are lowercase 0x-hex. Each signed message is its EIP-712 struct plus a
 * 65-byte signature (r, s, v with v in {27, 28}).
 */
import type { Address, Hex, Hex32 } from "./bytes.js";

/** A requester's signed order for one proof in one market. */
export interface ProofRequest {
  /** Market (one circuit) the proof is for. */
  marketId: number;
  /** Who pays, and whose signature this is. */
  requester: Address;
  /**
   * keccak256 of the public inputs exactly as the market's verifier takes them (checked on-chain at
   * fulfil); the inputs travel inline or are fetched by this hash.
   */
  inputsHash: Hex32;
  /**
   * keccak256 of the witness: the inputs only the prover needs (the verifier sees only the public
   * inputs). In markets that require TEE provers it is sealed to the enclave (DESIGN §5); in open
   * markets it travels in the clear and every node sees it. Zero when the request has none.
   */
  secretHash: Hex32;
  /** Highest price the requester pays, in wei; the rest of the escrow is refunded. */
  maxPrice: bigint;
  /** Chain time (s) after which an unassigned request is refunded, never matched. */
  assignBy: number;
  /** Seconds the prover has from assignment to proof. */
  provingTime: number;
  /** Makes otherwise identical requests distinct. */
  nonce: bigint;
}

/** A prover's standing signed offer in one market: also its consent to be assigned at this price. */
export interface Quote {
  marketId: number;
  prover: Address;
  /** Price per proof, in wei. */
  price: bigint;
  /** Seconds the prover needs per proof. */
  provingTime: number;
  /** Requests the prover takes at once. */
  capacity: number;
  /** Chain time (s) after which the quote lapses. */
  validUntil: number;
  nonce: bigint;
}

/** A requester withdraws a request that is not assigned yet. */
export interface Cancel {
  requestId: Hex32;
  requester: Address;
}

/** The signed part of a batch of the sequenced log: the body is bound by its hashes. */
export interface BatchHeader {
  /** Lease term of the leader that sequenced it. */
  term: number;
  /** Position in the log, from 0, gapless across terms. */
  seq: number;
  /** Hash of the previous batch header (zero for seq 0). */
  prevHash: Hex32;
  /** Chain time (s) the leader stamped: the only clock matching knows. */
  time: number;
  /** keccak256 over the keccak256 of every encoded event, in order. */
  eventsHash: Hex32;
  /** keccak256 over the EIP-712 struct hash of every assignment, in order. */
  assignmentsHash: Hex32;
  /** Digest of the matching state after this batch, so replicas compare in O(1). */
  stateDigest: Hex32;
}

/** A request given to a quote's prover at the quote's price. */
export interface Assignment {
  requestId: Hex32;
  quoteId: Hex32;
  prover: Address;
  price: bigint;
  provingTime: number;
}

/** A leader's liveness signal for its term. */
export interface Heartbeat {
  matcher: Address;
  term: number;
  /** Highest sequence number the leader has published. */
  seq: number;
  time: number;
}

/** A prover says it has proven a request; the proof itself is checked on-chain. */
export interface ProofAnnouncement {
  marketId: number;
  requestId: Hex32;
  prover: Address;
  /** keccak256 of the proof bytes as the market's verifier takes them. */
  proofHash: Hex32;
}

/** 65 bytes r || s || v, v in {27, 28}. */
export type Signature = Hex;

/** A signed request as gossiped: inline inputs are optional (fetched by hash when absent). */
export interface SignedRequest {
  request: ProofRequest;
  signature: Signature;
  /** Public inputs, empty when they travel by hash. */
  inputs: Uint8Array;
  /** The witness (sealed in TEE markets), empty when absent or fetched by hash. */
  secret: Uint8Array;
}

export interface SignedQuote {
  quote: Quote;
  signature: Signature;
}

export interface SignedCancel {
  cancel: Cancel;
  signature: Signature;
}

export interface SignedHeartbeat {
  heartbeat: Heartbeat;
  signature: Signature;
}

export interface SignedProofAnnouncement {
  announcement: ProofAnnouncement;
  signature: Signature;
  /** The proof bytes, empty when only announced. */
  proof: Uint8Array;
}

/**
 * Facts the leader puts in the log. Signed off-chain messages travel whole (without inline
 * inputs); chain facts carry the block they were read from, so matching is a pure function of the log.
 */
export type LogEvent =
  | { kind: "request"; signed: SignedRequest }
  | { kind: "quote"; signed: SignedQuote }
  | { kind: "cancel"; signed: SignedCancel }
  | {
      kind: "market";
      marketId: number;
      collateralPerRequest: bigint;
      minProvingTime: number;
      maxProvingTime: number;
      requiresTee: boolean;
      block: number;
    }
  /** The prover's total collateral on-chain (free + locked) as of `block`. */
  | { kind: "collateral"; prover: Address; total: bigint; block: number }
  | { kind: "anchored"; requestId: Hex32; block: number }
  | { kind: "proven"; requestId: Hex32; block: number }
  | { kind: "slashed"; requestId: Hex32; block: number };

export type LogEventKind = LogEvent["kind"];

/** A batch of the sequenced log: the leader's signed header, the events it orders and what they produce. */
export interface SignedBatch {
  header: BatchHeader;
  signature: Signature;
  events: LogEvent[];
  assignments: Assignment[];
}

/** Every message that crosses the network, tagged by type. */
export type Message =
  | { type: "request"; body: SignedRequest }
  | { type: "quote"; body: SignedQuote }
  | { type: "cancel"; body: SignedCancel }
  | { type: "batch"; body: SignedBatch }
  | { type: "heartbeat"; body: SignedHeartbeat }
  | { type: "proof"; body: SignedProofAnnouncement };

export type MessageType = Message["type"];

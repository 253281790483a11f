/**
 * What validation needs from its caller. The protocol holds no clock and no state: the node passes
 * the current chain time, the domains of its deployment, and lookups into what it knows.
 */
import type { Hex32 } from "../bytes.js";
import type { Domain } from "../eip712.js";
import type { Signature } from "../messages.js";
import type { Secp256k1Backend } from "../signature.js";

/** The rules a market sets, as far as message validation needs them. */
export interface MarketRules {
  minProvingTime: number;
  maxProvingTime: number;
  /** Only TEE markets accept private inputs. */
  requiresTee: boolean;
}

export interface ValidationContext {
  /** Current chain time in seconds. */
  now: number;
  /** Domain of the marketplace: requests, quotes, cancels, proof announcements. */
  marketDomain: Domain;
  /** Domain of the matcher registry: batches and heartbeats. */
  matcherDomain: Domain;
  /** The market's rules, or undefined when this node does not know the market (IGNORE). Omit to skip. */
  market?: (marketId: number) => MarketRules | undefined;
  /** True when the message id was already seen (IGNORE). Omit to skip dedupe. */
  seen?: (id: Hex32) => boolean;
  /**
   * True when this exact (id, signature) pair was already verified (at gossip, say): the signature
   * check is skipped. A follower re-validating the events of a batch saves the recovery. Omit to
   * always verify.
   */
  verified?: (id: Hex32, signature: Signature) => boolean;
  /**
   * The EIP-712 digest of this very message object, if the caller computed it before (gossip
   * validation does): two keccaks saved per message when the log re-validates it. It must be the
   * digest of the message under `marketDomain`. Omit to always compute.
   */
  knownDigest?: (message: object) => Uint8Array | undefined;
  /** Curve implementation: native by default. */
  backend?: Secp256k1Backend;
}

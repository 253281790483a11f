/**
 * A replica of the sequenced log: where the chain of batches stands, and the matching state it has
 * produced. The leader and every follower hold one; the same batches give the same state everywhere.
 */
import type { Hex32 } from "../bytes.js";
import { toHex, ZERO_HASH } from "../bytes.js";
import type { Domain } from "../eip712.js";
import { keccak } from "../eip712.js";
import { MatchingEngine, type MatchingInit } from "../matching/engine.js";
import type { Secp256k1Backend } from "../signature.js";

/** The end of the log a replica holds. */
export interface LogHead {
  /** Highest lease term seen in the log. */
  term: number;
  /** Sequence number the next batch must carry. */
  seq: number;
  /** Hash of the last batch header (zero before the first batch). */
  prevHash: Hex32;
  /** Time of the last batch: the next one may not be earlier. */
  time: number;
}

/** The deployment a log belongs to: ids and signatures depend on it. */
export interface LogDomains {
  /** Marketplace domain: request and quote ids, request, quote and cancel signatures. */
  marketDomain: Domain;
  /** Matcher registry domain: batch header hashes. */
  matcherDomain: Domain;
  backend?: Secp256k1Backend;
}

/** One replica's log and matching state. Mutable: `sequence` and `applyBatch` update it in place. */
export interface LogState extends LogDomains {
  head: LogHead;
  engine: MatchingEngine;
}

/** An empty log, before its first batch; `engine` is passed to the matching engine (its hash seed). */
export function createLogState(domains: LogDomains, engine: MatchingInit = {}): LogState {
  return {
    ...domains,
    head: { term: 0, seq: 0, prevHash: ZERO_HASH, time: 0 },
    engine: new MatchingEngine(engine),
  };
}

/**
 * The digest a batch header commits to: the engine's incremental multiset hash plus its clock and
 * event count, hashed once per batch. O(1): no pass over the state.
 */
export function stateDigest(state: LogState): Hex32 {
  const e = state.engine;
  const d = e.digest;
  const buf = Buffer.alloc(32);
  buf.writeUInt32BE(d.l0, 0);
  buf.writeUInt32BE(d.l1, 4);
  buf.writeBigUInt64BE(BigInt(e.nextSeq), 16);
  buf.writeBigUInt64BE(BigInt(e.time), 24);
  return toHex(keccak(buf));
}

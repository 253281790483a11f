/**
 * What the leader does every batch interval (DESIGN §3.3): sequence the pending events at chain
 * time under its term, sign the header with its enclave key, publish the batch on the log topic
 * (the node keeps it in its store), and send a heartbeat now and then so followers know it lives.
 */
import {
  type Heartbeat,
  LogError,
  type Sequenced,
  type Signature,
  type SignedBatch,
  sealBatch,
  sequence,
  structHashBatchHeader,
  structHashHeartbeat,
  toHex,
  typedDataDigest,
} from "../../protocol/index.js";
import type { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import type { Enclave } from "../tee/enclave.js";
import type { MatcherLog } from "./matcher-log.js";

/** What the leader loop needs. */
export interface LeaderComponents {
  node: KalypsoNode;
  enclave: Enclave;
  log: MatcherLog;
  logger: Logger;
}

/** Sequence, sign and publish one batch of up to `maxEvents` pending events for `term`; undefined when nothing is pending. */
export async function leadOnce(
  c: LeaderComponents,
  term: number,
  maxEvents: number,
  options: { signal?: AbortSignal } = {},
): Promise<{ batch: SignedBatch; dropped: number } | undefined> {
  const events = c.log.next(maxEvents);
  if (events.length === 0) return undefined;
  const state = c.log.state;
  const time = Math.max(state.head.time, c.node.now());
  let s: Sequenced;
  try {
    s = sequence(state, events, time, { term });
  } catch (err) {
    // A stale term (the log saw a newer one): not ours to lead.
    if (err instanceof LogError) {
      c.logger.warn({ err, term }, "cannot sequence");
      return undefined;
    }
    throw err;
  }
  c.log.discard(s.dropped.map((d) => d.event));
  const digest = typedDataDigest(state.matcherDomain, structHashBatchHeader(s.header));
  const signature = toHex(await c.enclave.sign(digest, options)) as Signature;
  const batch = sealBatch(s, signature);
  c.log.applied(batch);
  try {
    await c.node.publish({ type: "batch", body: batch });
  } catch (err) {
    // Unpublished is not lost: followers sync it from our store on the next batch's gap.
    c.logger.warn({ err, seq: s.header.seq }, "batch publish failed");
  }
  return { batch, dropped: s.dropped.length };
}

/** Sign and publish a heartbeat for `term`. */
export async function heartbeat(c: LeaderComponents, term: number, options: { signal?: AbortSignal } = {}) {
  const state = c.log.state;
  const hb: Heartbeat = {
    matcher: c.enclave.address,
    term,
    seq: Math.max(0, state.head.seq - 1),
    time: Math.max(state.head.time, c.node.now()),
  };
  const digest = typedDataDigest(state.matcherDomain, structHashHeartbeat(hb));
  const signature = toHex(await c.enclave.sign(digest, options)) as Signature;
  try {
    await c.node.publish({ type: "heartbeat", body: { heartbeat: hb, signature } });
  } catch (err) {
    c.logger.debug({ err }, "heartbeat publish failed");
  }
}

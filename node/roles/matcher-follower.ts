/**
 * What a follower does with each batch (DESIGN §3.3, §4): check that its signer held the lease for
 * its term, keep its header by (term, seq) to catch an equivocation, refuse a batch from a term the
 * registry has moved past, apply it (re-running the matching rule) and raise an alarm when the
 * leader's assignments or state digest are not what the rule gives. A gap is filled by syncing the
 * log from the peer that sent the batch.
 */

import type { RegistryClient } from "../../chain/index.js";
import {
  type Address,
  applyBatch,
  type BatchHeader,
  batchHeaderHash,
  type Heartbeat,
  type Hex32,
  LogError,
  type Signature,
  type SignedBatch,
  validateBatch,
} from "../../protocol/index.js";
import type { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import { connectedPeers } from "../network/host.js";
import type { MatcherLog } from "./matcher-log.js";

/** LogError codes that prove the leader broke the log (not merely that we are behind). */
export const ALARM_CODES: ReadonlySet<string> = new Set([
  "LOG_ASSIGNMENTS_DIFFER",
  "LOG_STATE_DIGEST_DIFFERS",
  "LOG_INVALID_EVENT",
  "LOG_BODY_MISMATCH",
  "LOG_BROKEN_CHAIN",
]);

/** What the follower needs, and how it reports. */
export interface FollowerComponents {
  node: KalypsoNode;
  log: MatcherLog;
  registry: RegistryClient;
  logger: Logger;
  /** The lease holder of `term`, or undefined when the chain does not know it yet. */
  leaderOf(term: number): Promise<Address | undefined>;
  /** The term the registry is at now (read fresh: a lease view even 100 ms old lets a fenced leader in). */
  currentTerm(): Promise<number>;
  onApplied(batch: SignedBatch): void;
  onRejected(batch: SignedBatch, code: string, message: string): void;
  onAlarm(batch: SignedBatch, code: string, message: string): void;
  onEquivocation(term: number, seq: number, tx: string | undefined): void;
}

/** Longest a sync from one peer may take: a dead peer must not stall the follower or a failover. */
const SYNC_TIMEOUT_MS = 1000;

/** Headers kept to catch equivocation: the recent ones, where a second header can still matter. */
const MAX_HEADERS = 10_000;

interface Seen {
  header: BatchHeader;
  signature: Signature;
  hash: Hex32;
}

/** Keeps (term, seq) -> header and applies batches in order. */
export class Follower {
  private readonly headers = new Map<string, Seen>();
  private readonly reported = new Set<number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly c: FollowerComponents) {}

  /** Handle a gossiped batch signed by `signer`, after those before it. */
  receive(batch: SignedBatch, signer: Address, from?: string): Promise<void> {
    this.queue = this.queue
      .then(() => this.handle(batch, signer, from))
      .catch((err) => this.c.logger.error({ err }, "batch handling failed"));
    return this.queue;
  }

  /**
   * A heartbeat from the leader of its term says how far the log goes: sync if we are behind (a
   * batch we missed is otherwise only noticed when the next one arrives, which may be never).
   */
  heartbeat(hb: Heartbeat, from?: string): void {
    if (hb.seq < this.c.log.state.head.seq) return;
    this.queue = this.queue
      .then(async () => {
        const leader = await this.c.leaderOf(hb.term);
        if (leader !== hb.matcher.toLowerCase() || hb.seq < this.c.log.state.head.seq) return;
        await this.sync(from, AbortSignal.timeout(SYNC_TIMEOUT_MS));
      })
      .catch((err) => this.c.logger.warn({ err }, "heartbeat sync failed"));
  }

  /**
   * Fetch from every connected peer the batches beyond our head (a candidate does this before it
   * claims). Each fetch is bounded by `timeoutMs`: a dead peer must not delay a failover.
   */
  async catchUp(timeoutMs = SYNC_TIMEOUT_MS): Promise<void> {
    const run = async () => {
      for (const peer of connectedPeers(this.c.node.host))
        await this.sync(peer.toString(), AbortSignal.timeout(timeoutMs));
    };
    this.queue = this.queue.then(run).catch((err) => this.c.logger.warn({ err }, "catch-up failed"));
    await this.queue;
  }

  /** Remember a header we signed ourselves (a leader never equivocates against its own record). */
  remember(batch: SignedBatch): void {
    this.keep(this.seen(batch));
  }

  /** Keep a header by (term, seq); forget those far behind the head (a fork that old is settled on-chain). */
  private keep(s: Seen): void {
    this.headers.set(`${s.header.term}:${s.header.seq}`, s);
    if (this.headers.size <= MAX_HEADERS) return;
    for (const [k, v] of this.headers) {
      if (this.headers.size <= MAX_HEADERS / 2) break;
      if (v.header.seq < this.c.log.state.head.seq - MAX_HEADERS / 2) this.headers.delete(k);
    }
  }

  /** Wait until every batch received so far is handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  private seen(batch: SignedBatch): Seen {
    return {
      header: batch.header,
      signature: batch.signature,
      hash: batchHeaderHash(this.c.log.state.matcherDomain, batch.header),
    };
  }

  private async handle(batch: SignedBatch, signer: Address, from?: string): Promise<void> {
    const h = batch.header;
    const leader = await this.c.leaderOf(h.term);
    // [IGNORE] only the lease holder of the batch's term may sign it
    if (leader === undefined || leader !== signer.toLowerCase()) {
      this.c.logger.warn(
        { term: h.term, seq: h.seq, signer, leader },
        "batch not signed by its term's leader",
      );
      return;
    }
    const mine = this.seen(batch);
    const key = `${h.term}:${h.seq}`;
    const before = this.headers.get(key);
    if (before && before.hash !== mine.hash) {
      await this.report(before, mine);
      return;
    }
    this.keep(mine);
    const state = this.c.log.state;
    // Fencing: a term the registry has moved past is over, whatever its leader still sends.
    const current = h.term < state.head.term ? state.head.term : await this.c.currentTerm();
    if (h.term < current) {
      const msg = `batch ${h.seq} has term ${h.term}, the lease is at term ${current}`;
      this.c.onRejected(batch, "LOG_STALE_TERM", msg);
      return;
    }
    if (h.seq < state.head.seq) return;
    if (h.seq > state.head.seq) {
      await this.sync(from);
      if (h.seq !== state.head.seq) return;
    }
    this.apply(batch);
  }

  private apply(batch: SignedBatch): boolean {
    try {
      applyBatch(this.c.log.state, batch, { bodyVerified: true });
    } catch (err) {
      if (!(err instanceof LogError)) throw err;
      if (ALARM_CODES.has(err.code)) this.c.onAlarm(batch, err.code, err.message);
      else this.c.onRejected(batch, err.code, err.message);
      return false;
    }
    this.c.onApplied(batch);
    return true;
  }

  /** Fetch the batches we miss from the peer that has them, checking each like a gossiped one. */
  private async sync(from?: string, signal?: AbortSignal): Promise<void> {
    const node = this.c.node;
    const peers = connectedPeers(node.host);
    const peer = peers.find((p) => p.toString() === from) ?? peers[0];
    if (!peer) return;
    for (;;) {
      const batches = await node.rpc
        .syncLog(peer, this.c.log.state.head.seq, undefined, { signal })
        .catch((err) => {
          this.c.logger.warn({ err, peer: peer.toString() }, "log sync failed");
          return [];
        });
      // A peer that sends nothing we can use ends the sync (and cannot keep us looping).
      if (batches[0]?.header.seq !== this.c.log.state.head.seq) return;
      for (const b of batches) {
        if (b.header.seq !== this.c.log.state.head.seq) return;
        const { signer } = validateBatch(node.validationContext(), b);
        const leader = await this.c.leaderOf(b.header.term);
        if (leader !== signer.toLowerCase()) return;
        this.keep(this.seen(b));
        if (!this.apply(b)) return;
      }
    }
  }

  /** Two headers for one (term, seq) signed by its leader: prove it on-chain, once per term. */
  private async report(a: Seen, b: Seen): Promise<void> {
    const { term, seq } = a.header;
    if (this.reported.has(term)) return;
    this.reported.add(term);
    this.c.logger.error({ term, seq, a: a.hash, b: b.hash }, "leader equivocated: reporting");
    try {
      const receipt = await this.c.registry.reportEquivocation(a.header, a.signature, b.header, b.signature);
      this.c.onEquivocation(term, seq, receipt.hash);
    } catch (err) {
      // Someone reported it first (MatcherSlashed): the leader is slashed either way.
      this.c.logger.warn({ err, term, seq }, "equivocation report reverted");
      this.c.onEquivocation(term, seq, undefined);
    }
  }
}

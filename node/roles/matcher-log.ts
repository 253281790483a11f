/**
 * What every matcher holds, leader or follower: its replica of the sequenced log, the pending pool
 * of events not yet sequenced (gossiped requests, quotes and cancels, chain facts), the signed
 * requests and quotes the log refers to (to anchor them), and the log's assignments not yet
 * anchored on-chain (so a new leader anchors what the old one did not).
 */
import { randomInt } from "node:crypto";
import {
  type Assignment,
  createLogState,
  type Domain,
  type Hex32,
  type LogEvent,
  type LogState,
  quoteId,
  requestId,
  type SignedBatch,
  type SignedQuote,
  type SignedRequest,
} from "../../protocol/index.js";
import { factKey } from "./chain-facts.js";

/** The matcher's log replica with its pools. */
export class MatcherLog {
  readonly state: LogState;
  /** key -> event not yet in the log, in arrival order (what the leader sequences next). */
  readonly pending = new Map<string, LogEvent>();
  /** Keys of events the log holds: never pooled again. */
  private readonly sequenced = new Set<string>();
  /** request id -> signed request, for anchoring. */
  readonly requests = new Map<Hex32, SignedRequest>();
  /** quote id -> signed quote, for anchoring. */
  readonly quotes = new Map<Hex32, SignedQuote>();
  /** request id -> assignment of the log that is not anchored on-chain yet. */
  readonly unanchored = new Map<Hex32, Assignment>();
  /** Highest block of a chain fact the log holds: where a restarted matcher reads facts again. */
  lastFactBlock: number | undefined;
  /** Requests seen assigned on-chain. */
  private readonly anchored = new Set<Hex32>();

  constructor(
    readonly marketDomain: Domain,
    matcherDomain: Domain,
  ) {
    // A random seed for the engine's id tables: ids are ground by their signers, the seed is not.
    this.state = createLogState({ marketDomain, matcherDomain }, { hashSeed: randomInt(2 ** 31) });
  }

  /** The event's stable key (same on every matcher). */
  key(e: LogEvent): string {
    return factKey(e, {
      request: (x) =>
        x.kind === "request" ? requestId(this.marketDomain, x.signed.request) : ("0x" as Hex32),
      quote: (x) => (x.kind === "quote" ? quoteId(this.marketDomain, x.signed.quote) : ("0x" as Hex32)),
    });
  }

  /** Pool an event unless the log already holds it. `key` may be given when known (gossip id). */
  add(e: LogEvent, key = this.key(e)): void {
    if (this.sequenced.has(key) || this.pending.has(key)) return;
    if (e.kind === "request") this.requests.set(key.slice(8) as Hex32, e.signed);
    if (e.kind === "quote") this.quotes.set(key.slice(6) as Hex32, e.signed);
    if (e.kind === "anchored") this.markAnchored(e.requestId);
    this.pending.set(key, e);
  }

  /** Events to sequence next, oldest first. */
  next(max: number): LogEvent[] {
    const out: LogEvent[] = [];
    for (const e of this.pending.values()) {
      if (out.length >= max) break;
      out.push(e);
    }
    return out;
  }

  /** Drop events the leader left out of a batch (invalid or stale at its time): they never will be valid again. */
  discard(events: readonly LogEvent[]): void {
    for (const e of events) this.pending.delete(this.key(e));
  }

  /** A batch is now part of the log (sequenced by us or applied from the leader). */
  applied(batch: SignedBatch): void {
    for (const e of batch.events) {
      const k = this.key(e);
      this.pending.delete(k);
      this.sequenced.add(k);
      if (e.kind === "request") this.requests.set(k.slice(8) as Hex32, e.signed);
      if (e.kind === "quote") this.quotes.set(k.slice(6) as Hex32, e.signed);
      if (e.kind === "anchored") this.markAnchored(e.requestId);
      if ("block" in e) this.lastFactBlock = Math.max(this.lastFactBlock ?? 0, e.block);
    }
    for (const a of batch.assignments) {
      if (!this.anchored.has(a.requestId)) this.unanchored.set(a.requestId, a);
    }
  }

  /** The request is assigned on-chain (seen in an event or our own receipt). */
  markAnchored(id: Hex32): void {
    this.anchored.add(id);
    this.unanchored.delete(id);
  }
}

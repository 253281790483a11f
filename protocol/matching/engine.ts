/**
 * The matching engine: every market's book, every prover's collateral and capacity, every open
 * assignment, and the rule of DESIGN §3.4 applied as each event arrives. Pure and deterministic: its
 * only clock is the time the log carries (`advance`), its only order the order of calls. Signatures
 * and ids are the caller's (the log layer checks them, gossip validation before it): the engine
 * trusts its inputs, which is what lets it run at millions of events per second.
 */
import type { Address, Hex32 } from "../bytes.js";
import type { Assignment } from "../messages.js";
import { tailWord } from "./id-table.js";
import { Journal } from "./journal.js";
import { MatchingRule } from "./matching-rule.js";
import { type Market, setCollateral } from "./matching-state.js";
import type { MinHeap } from "./min-heap.js";
import { OrderBook } from "./order-book.js";
import { ScratchList } from "./scratch-list.js";
import { hexWord, moneyWords, nonceWord } from "./state-digest.js";
import { assignmentFact, marketFact, pmFact, proverFact, quoteFact, requestFact } from "./state-facts.js";
import {
  type EventOutcome,
  type MarketParams,
  type Prover,
  type ProverMarket,
  type QuoteEntry,
  type QuoteInput,
  REQUEST_STATUS,
  type RequestInput,
} from "./types.js";
import {
  undoAnchored,
  undoCollateral,
  undoLapse,
  undoLink,
  undoMarketRules,
  undoNewMarket,
  undoPop,
  undoQuote,
  undoRequest,
  undoSettle,
} from "./undo.js";

export type { Market, MatchingInit } from "./matching-state.js";

/** State saved at `begin` that is cheaper to restore whole than to journal. */
interface Savepoint {
  time: number;
  nextSeq: number;
  voided: number;
  lanes: [number, number];
  out: Assignment[];
  outLength: number;
}

/** Every market's matching state and the rule that changes it. */
export class MatchingEngine extends MatchingRule {
  private save: Savepoint | null = null;
  /**
   * Assignments voided so far, never anchored by assign-by + grace (see `advance`): for metrics. A
   * steady rise means the chain refuses anchorings, or anchoring facts reach the log late.
   */
  voided = 0;

  /** Start recording undo information: everything until `commit` or `rollback` is one unit. */
  begin(): void {
    this.j = new Journal();
    this.save = {
      time: this.time,
      nextSeq: this.nextSeq,
      voided: this.voided,
      lanes: this.digest.save(),
      out: this.out,
      outLength: this.out.length,
    };
  }

  /** Keep everything since `begin`. */
  commit(): void {
    this.j = null;
    this.save = null;
    // No undo needs the rows of requests the batch forgot any more.
    const rows = this.requestRows;
    for (let i = 0; i < this.forgotten.length; i++) rows.release(this.forgotten[i]!);
    this.forgotten.length = 0;
  }

  /** Undo everything since `begin`: the state is exactly as it was. */
  rollback(): void {
    const s = this.save;
    if (this.j === null || s === null) throw new Error("rollback without begin");
    this.j.rollback();
    // Their undos brought them back.
    this.forgotten.length = 0;
    this.time = s.time;
    this.nextSeq = s.nextSeq;
    this.voided = s.voided;
    this.digest.restore(s.lanes);
    // A copy: an array handed out by takeAssignments during the transaction stays as it was.
    this.out = s.out.slice(0, s.outLength);
    this.clearFresh();
    this.commit();
  }

  /** A market appears or its rules change (a chain fact). */
  market(p: MarketParams): EventOutcome {
    this.nextSeq++;
    const [c0, c1] = moneyWords(p.collateralPerRequest);
    // As int32, like every word a record keeps for the digest (no heap number per field).
    const cpr0 = c0 | 0;
    const cpr1 = c1 | 0;
    const cprKey = Number(p.collateralPerRequest);
    const old = this.markets.get(p.marketId);
    if (old === undefined) {
      const m: Market = {
        params: p,
        cpr0,
        cpr1,
        cprKey,
        book: new OrderBook(this.requestRows),
        provers: [],
        fresh: new ScratchList(),
      };
      this.markets.set(p.marketId, m);
      marketFact(this.digest, 1, m);
      this.j?.push(undoNewMarket(this, m));
      return "updated";
    }
    const prev = { params: old.params, cpr0: old.cpr0, cpr1: old.cpr1, cprKey: old.cprKey };
    marketFact(this.digest, -1, old);
    Object.assign(old, { params: p, cpr0, cpr1, cprKey });
    marketFact(this.digest, 1, old);
    this.j?.push(undoMarketRules(old, prev));
    for (const pm of old.provers) this.refresh(pm);
    this.matchFresh();
    return "updated";
  }

  /** A prover's total collateral on-chain changed (deposit, withdrawal, slash). */
  collateral(address: Address, total: bigint): EventOutcome {
    this.nextSeq++;
    const p = this.prover(address);
    const old = p.total;
    proverFact(this.digest, -1, p);
    setCollateral(p, total, p.held);
    proverFact(this.digest, 1, p);
    this.j?.push(undoCollateral(p, old));
    this.refreshProver(p);
    this.matchFresh();
    return "updated";
  }

  /** A request: matched now to the best fitting quote, or left waiting until its assign-by time. */
  request(input: RequestInput): EventOutcome {
    const seq = this.nextSeq++;
    const m = this.markets.get(input.marketId);
    if (m === undefined) return "unknown_market";
    if (input.assignBy <= this.time) return "expired";
    // The id table's words are the digest's: the id's digits are read once.
    const w0 = tailWord(input.id, 1);
    const w1 = tailWord(input.id, 2);
    const rows = this.requestRows;
    const h = rows.add(
      input.id,
      input.marketId,
      input.requester,
      input.maxPrice,
      input.assignBy,
      input.provingTime,
      seq,
      w0,
      w1,
      REQUEST_STATUS.waiting,
    );
    if (!this.requestIds.addAt(input.id, w0, w1, h)) {
      rows.release(h);
      return "duplicate";
    }
    const q = m.book.best(input.maxPrice, input.provingTime);
    if (q !== undefined) rows.setStatus(h, REQUEST_STATUS.assigned);
    requestFact(this.digest, 1, rows, h);
    this.j?.push(undoRequest(this, h));
    this.requestExpiry.push(input.assignBy, seq, h);
    if (q !== undefined) {
      this.assign(h, q, m);
      return "assigned";
    }
    m.book.append(h);
    this.j?.push(undoLink(m, h, true));
    return "waiting";
  }

  /** A prover's quote: replaces its current quote in the market if its nonce is newer. */
  quote(input: QuoteInput): EventOutcome {
    // The index orders by proving times it keeps in numbers (see quoteTie): whole seconds, as the
    // protocol carries them (u64, validated). Anything else is the caller's bug: refused, untouched.
    const pt = input.provingTime;
    if (!Number.isSafeInteger(pt) || pt < 0) {
      throw new RangeError(`quote ${input.id}: provingTime ${pt} is not a whole number of seconds`);
    }
    const seq = this.nextSeq++;
    const m = this.markets.get(input.marketId);
    if (m === undefined) return "unknown_market";
    if (input.validUntil <= this.time) return "expired";
    const pm = this.proverMarket(this.prover(input.prover), m);
    // A replayed or reordered older quote must not undo the prover's newer terms.
    // Nonces are u64: two words hold one exactly (kept as int32: the digest reads only their bits).
    const nonceKey = Number(input.nonce);
    const nonce0 = nonceWord(input.nonce, 0) | 0;
    const nonce1 = nonceWord(input.nonce, 1) | 0;
    if (isStale(nonceKey, nonce0, nonce1, pm)) return "stale_nonce";
    // An object literal, not a class instance: a literal has an allocation site, through which V8
    // learns that quotes outlive the young generation and allocates them in the old one. As class
    // instances each was copied by scavenges, and each store of it into an older record took the
    // slow write barrier: per-process passes ran 8-12 % slower (one same-heap comparison of engine
    // calls alone had shown the opposite).
    const q: QuoteEntry = {
      id: input.id,
      price: input.price,
      provingTime: input.provingTime,
      capacity: input.capacity,
      seq,
      validUntil: input.validUntil,
      priceKey: Number(input.price),
      w0: hexWord(input.id, 0),
      w1: hexWord(input.id, 1),
      pm,
      indexSlot: -1,
      fact0: 0,
      fact1: 0,
    };
    // The replaced quote is not read: what taking it out needs, its slot holds (see dropQuote). Not
    // `if (old)` either: an object's truthiness reads its map, a cache miss on a cold quote.
    const old = pm.quote;
    if (old !== null) this.dropQuote(pm);
    const { nonceKey: oldKey, n0, n1 } = pm;
    pmFact(this.digest, -1, pm);
    pm.quote = q;
    pm.nonceKey = nonceKey;
    pm.n0 = nonce0;
    pm.n1 = nonce1;
    pmFact(this.digest, 1, pm);
    quoteFact(this.digest, 1, q);
    pm.quoteFact0 = q.fact0;
    pm.quoteFact1 = q.fact1;
    this.j?.push(undoQuote(this, q, old, oldKey, n0, n1));
    // The heap holds the prover's slot, not the quote: a replaced quote is not kept alive by it.
    this.quoteExpiry.push(input.validUntil, seq, pm);
    this.refresh(pm);
    this.matchFresh();
    return "quoted";
  }

  /** A requester withdraws a request that is still waiting: O(1), whatever the book's depth. */
  cancel(requestId: Hex32, requester: Address): EventOutcome {
    this.nextSeq++;
    const h = this.requestIds.get(requestId);
    if (h === undefined) return "unknown_request";
    const rows = this.requestRows;
    if (rows.requesters[h] !== requester) return "not_requester";
    if (rows.status(h) !== REQUEST_STATUS.waiting) return "not_waiting";
    const m = this.markets.get(rows.marketId(h))!;
    m.book.unlink(h);
    this.j?.push(undoLink(m, h, false));
    this.setStatus(h, REQUEST_STATUS.cancelled);
    return "cancelled";
  }

  /** A proof was accepted or the prover slashed: the assignment's capacity and collateral are free. */
  settle(requestId: Hex32): EventOutcome {
    this.nextSeq++;
    const h = this.requestIds.get(requestId);
    if (h === undefined || !this.requestRows.hasAssignment(h)) return "unknown_request";
    const p = this.close(h);
    this.refreshProver(p);
    this.matchFresh();
    return "settled";
  }

  /**
   * The chain confirmed the request's assignment (it was anchored): it stays until proof or slash.
   * One never confirmed is void past its request's assign-by (see `advance`).
   */
  anchored(requestId: Hex32): EventOutcome {
    this.nextSeq++;
    const h = this.requestIds.get(requestId);
    const rows = this.requestRows;
    if (h === undefined || !rows.hasAssignment(h)) return "unknown_request";
    if (rows.anchored(h)) return "anchored";
    assignmentFact(this.digest, -1, rows, h);
    rows.setAnchored(h, true);
    assignmentFact(this.digest, 1, rows, h);
    this.j?.push(undoAnchored(this, h));
    return "anchored";
  }

  /**
   * Close request `h`'s open assignment (settled, or void): its capacity and collateral are free,
   * and the request goes if its assign-by has passed. Returns the prover, whose quotes the caller
   * re-checks.
   */
  private close(h: number): Prover {
    const rows = this.requestRows;
    const pm = rows.pms[h]!;
    if (rows.capacityHeld(h)) this.releaseCapacity(h);
    assignmentFact(this.digest, -1, rows, h);
    rows.setAssignmentOpen(h, false);
    setCollateral(pm.prover, pm.prover.total, pm.prover.held - rows.collaterals[h]!);
    this.j?.push(undoSettle(this, h));
    // Kept past assign-by only for this assignment: now it goes.
    if (rows.assignBy(h) <= this.time) this.forgetRequest(h);
    return pm.prover;
  }

  /** An event with no effect on matching that still holds its place in the log. */
  skip(): void {
    this.nextSeq++;
  }

  /**
   * Move the clock to `time` (never back): requests past assign-by and quotes past valid-until drop
   * out; assignments past their deadline free their capacity (their collateral stays held until the
   * proof or the slash: on-chain it is locked until then); waiting requests are re-matched.
   */
  advance(time: number): void {
    if (time < this.time) throw new RangeError(`time ${time} is before the engine's time ${this.time}`);
    if (time === this.time) return;
    this.time = time;
    const rows = this.requestRows;
    const grace = this.anchorGrace;
    while (this.requestExpiry.due(time)) {
      const at = this.requestExpiry.peekAt();
      const seq = this.requestExpiry.peekSeq();
      const h = this.popDue(this.requestExpiry);
      // Lazy deletion: skip entries whose request already left, or was rolled back (its row then
      // perhaps another request's: a heap push is not undone, so a stale entry is told apart by
      // its sequence and time; one that matches both is its twin, and does what the twin does).
      const assignBy = rows.assignBy(h);
      if (!rows.isLive(h) || rows.seq(h) !== seq || (at !== assignBy && at !== assignBy + grace)) continue;
      if (!rows.hasAssignment(h)) this.forgetRequest(h);
      // An anchored assignment stays until proof or slash. One the chain has not confirmed by
      // assign-by + grace never will be: it is void, and its collateral free.
      else if (rows.anchored(h)) continue;
      else if (time >= assignBy + grace) {
        this.voided++;
        this.refreshProver(this.close(h));
      }
      // Not a journaled push: an entry left by a rollback finds the state as its twin does, and
      // does what the twin would at the same time (see the checks above).
      else this.requestExpiry.push(assignBy + grace, seq, h);
    }
    while (this.quoteExpiry.due(time)) {
      const at = this.quoteExpiry.peekAt();
      const seq = this.quoteExpiry.peekSeq();
      const q = this.popDue(this.quoteExpiry).quote;
      // Skip entries not of the slot's quote: replaced since (a newer quote has its own entry), or
      // rolled back, its seq then taken by a later quote with another valid-until (a heap push is
      // not undone: a stale entry is told apart instead).
      if (q === null || q.seq !== seq || q.validUntil !== at) continue;
      this.dropQuote(q.pm);
      pmFact(this.digest, -1, q.pm);
      q.pm.quote = null;
      pmFact(this.digest, 1, q.pm);
      this.j?.push(undoLapse(q));
    }
    while (this.deadlines.due(time)) {
      const at = this.deadlines.peekAt();
      const seq = this.deadlines.peekSeq();
      const h = this.popDue(this.deadlines);
      // As above: an entry must be its row's assignment's, by sequence and time.
      if (!rows.isLive(h) || rows.seq(h) !== seq || !rows.hasAssignment(h)) continue;
      if (!rows.capacityHeld(h) || rows.deadline(h) !== at) continue;
      this.releaseCapacity(h);
      this.refresh(rows.pms[h]!);
    }
    this.matchFresh();
  }

  /** Pop the earliest entry of a heap, journaling how to put it back. */
  private popDue<T>(heap: MinHeap<T>): T {
    const at = heap.peekAt();
    const seq = heap.peekSeq();
    const item = heap.pop()!;
    this.j?.push(undoPop(heap, at, seq, item));
    return item;
  }
}

/**
 * Is the nonce (its float `key` and its words, low `w0` and high `w1`) at or below the prover's
 * last in the market (a replay)? Number() of a bigint never reverses order: keys that differ decide
 * it; equal keys (only past 2^53) compare the words, unsigned. The nonce's bigint is not kept: one
 * per quote, it outlived the young generation.
 */
function isStale(key: number, w0: number, w1: number, pm: ProverMarket): boolean {
  if (key !== pm.nonceKey) return key < pm.nonceKey;
  if (w1 !== pm.n1) return w1 >>> 0 < pm.n1 >>> 0;
  return w0 >>> 0 <= pm.n0 >>> 0;
}

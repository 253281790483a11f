/**
 * The matching engine: every market's book, every prover's collateral and capacity, every open
 * assignment, and the rule of DESIGN §3.4 applied as each event arrives. Pure and deterministic: its
 * only clock is the time the log carries (`advance`), its only order the order of calls. Signatures
 * and ids are the caller's (the log layer checks them, gossip validation before it): the engine
 * trusts its inputs, which is what lets it run at millions of events per second.
 */
import type { Address, Hex32 } from "../bytes.js";
import type { Assignment } from "../messages.js";
import { Journal } from "./journal.js";
import { type Market, MatchingState, setCollateral } from "./matching-state.js";
import type { MinHeap } from "./min-heap.js";
import { OrderBook } from "./order-book.js";
import { ScratchList } from "./scratch-list.js";
import { FACT, hexWord, moneyWords, nonceWord } from "./state-digest.js";
import {
  type AssignmentEntry,
  type EventOutcome,
  type MarketParams,
  type Prover,
  type ProverMarket,
  type QuoteEntry,
  type QuoteInput,
  REQUEST_STATUS,
  type RequestEntry,
  type RequestInput,
} from "./types.js";

export type { Market, MatchingInit } from "./matching-state.js";

/** State saved at `begin` that is cheaper to restore whole than to journal. */
interface Savepoint {
  time: number;
  nextSeq: number;
  lanes: [number, number];
  out: Assignment[];
  outLength: number;
}

/** Every market's matching state and the rule that changes it. */
export class MatchingEngine extends MatchingState {
  /** Assignments produced since the last `takeAssignments`. */
  private out: Assignment[] = [];
  private save: Savepoint | null = null;
  /** Scratch list of matchFresh, kept between calls so that no event allocates one. */
  private readonly candidates = new ScratchList<RequestEntry>();

  /** Start recording undo information: everything until `commit` or `rollback` is one unit. */
  begin(): void {
    this.j = new Journal();
    this.save = {
      time: this.time,
      nextSeq: this.nextSeq,
      lanes: this.digest.save(),
      out: this.out,
      outLength: this.out.length,
    };
  }

  /** Keep everything since `begin`. */
  commit(): void {
    this.j = null;
    this.save = null;
  }

  /** Undo everything since `begin`: the state is exactly as it was. */
  rollback(): void {
    const s = this.save;
    if (this.j === null || s === null) throw new Error("rollback without begin");
    this.j.rollback();
    this.time = s.time;
    this.nextSeq = s.nextSeq;
    this.digest.restore(s.lanes);
    // A copy: an array handed out by takeAssignments during the transaction stays as it was.
    this.out = s.out.slice(0, s.outLength);
    this.clearFresh();
    this.commit();
  }

  /** The assignments produced since the last call, in the order they were made. */
  takeAssignments(): Assignment[] {
    const out = this.out;
    this.out = [];
    return out;
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
        book: new OrderBook(),
        provers: [],
        fresh: new ScratchList(),
      };
      this.markets.set(p.marketId, m);
      this.marketFact(1, m);
      this.j?.push(this.undoNewMarket(m));
      return "updated";
    }
    const prev = { params: old.params, cpr0: old.cpr0, cpr1: old.cpr1, cprKey: old.cprKey };
    this.marketFact(-1, old);
    Object.assign(old, { params: p, cpr0, cpr1, cprKey });
    this.marketFact(1, old);
    this.j?.push(this.undoMarketRules(old, prev));
    for (const pm of old.provers) this.refresh(pm);
    this.matchFresh();
    return "updated";
  }

  /** A prover's total collateral on-chain changed (deposit, withdrawal, slash). */
  collateral(address: Address, total: bigint): EventOutcome {
    this.nextSeq++;
    const p = this.prover(address);
    const old = p.total;
    this.proverFact(-1, p);
    setCollateral(p, total, p.held);
    this.proverFact(1, p);
    this.j?.push(this.undoCollateral(p, old));
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
    const r: RequestEntry = {
      id: input.id,
      marketId: input.marketId,
      requester: input.requester,
      maxPrice: input.maxPrice,
      assignBy: input.assignBy,
      provingTime: input.provingTime,
      seq,
      status: REQUEST_STATUS.waiting,
      w0: hexWord(input.id, 0),
      w1: hexWord(input.id, 1),
      prev: null,
      next: null,
      assignment: null,
    };
    if (!this.requests.add(r.id, r)) return "duplicate";
    const q = m.book.best(input.maxPrice, input.provingTime);
    if (q) r.status = REQUEST_STATUS.assigned;
    this.requestFact(1, r);
    this.j?.push(this.undoRequest(r));
    this.requestExpiry.push(r.assignBy, seq, r);
    if (q) {
      this.assign(r, q, m);
      return "assigned";
    }
    m.book.append(r);
    this.j?.push(this.undoLink(m, r, true));
    return "waiting";
  }

  /** A prover's quote: replaces its current quote in the market if its nonce is newer. */
  quote(input: QuoteInput): EventOutcome {
    const seq = this.nextSeq++;
    const m = this.markets.get(input.marketId);
    if (m === undefined) return "unknown_market";
    if (input.validUntil <= this.time) return "expired";
    const pm = this.proverMarket(this.prover(input.prover), m);
    // A replayed or reordered older quote must not undo the prover's newer terms.
    if (isStale(input.nonce, pm)) return "stale_nonce";
    const q: QuoteEntry = {
      id: input.id,
      marketId: input.marketId,
      prover: input.prover,
      price: input.price,
      provingTime: input.provingTime,
      capacity: input.capacity,
      validUntil: input.validUntil,
      nonce: input.nonce,
      seq,
      priceKey: Number(input.price),
      w0: hexWord(input.id, 0),
      w1: hexWord(input.id, 1),
      pm,
      live: true,
      indexSlot: -1,
    };
    const old = pm.quote;
    if (old) this.dropQuote(old, m);
    const { lastNonce, nonceKey, n0, n1 } = pm;
    this.pmFact(-1, pm);
    pm.quote = q;
    pm.lastNonce = input.nonce;
    pm.nonceKey = Number(input.nonce);
    // Nonces are u64: two words cover them (kept as int32: the digest reads only their bits).
    pm.n0 = nonceWord(input.nonce, 0) | 0;
    pm.n1 = nonceWord(input.nonce, 1) | 0;
    this.pmFact(1, pm);
    this.digest.toggle(1, FACT.quote, q.w0, q.w1);
    this.j?.push(this.undoQuote(q, old, lastNonce, nonceKey, n0, n1));
    // The heap holds the prover's slot, not the quote: a replaced quote is not kept alive by it.
    this.quoteExpiry.push(q.validUntil, seq, pm);
    this.refresh(pm);
    this.matchFresh();
    return "quoted";
  }

  /** A requester withdraws a request that is still waiting: O(1), whatever the book's depth. */
  cancel(requestId: Hex32, requester: Address): EventOutcome {
    this.nextSeq++;
    const r = this.requests.get(requestId);
    if (r === undefined) return "unknown_request";
    if (r.requester !== requester) return "not_requester";
    if (r.status !== REQUEST_STATUS.waiting) return "not_waiting";
    const m = this.markets.get(r.marketId)!;
    m.book.unlink(r);
    this.j?.push(this.undoLink(m, r, false));
    this.setStatus(r, REQUEST_STATUS.cancelled);
    return "cancelled";
  }

  /** A proof was accepted or the prover slashed: the assignment's capacity and collateral are free. */
  settle(requestId: Hex32): EventOutcome {
    this.nextSeq++;
    const r = this.requests.get(requestId);
    const a = r?.assignment;
    if (r === undefined || !a) return "unknown_request";
    const { pm } = a;
    if (a.capacityHeld) this.releaseCapacity(a);
    this.assignmentFact(-1, a);
    r.assignment = null;
    setCollateral(pm.prover, pm.prover.total, pm.prover.held - a.collateral);
    this.j?.push(this.undoSettle(a));
    // Kept past assign-by only for this assignment: now it goes.
    if (r.assignBy <= this.time) this.forgetRequest(r);
    this.refreshProver(pm.prover);
    this.matchFresh();
    return "settled";
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
    while (this.requestExpiry.due(time)) {
      const r = this.popDue(this.requestExpiry);
      // Lazy deletion: skip entries whose request already left (or was rolled back). A request with
      // an open assignment stays until it settles.
      if (this.requests.get(r.id) === r && r.assignment === null) this.forgetRequest(r);
    }
    while (this.quoteExpiry.due(time)) {
      const seq = this.quoteExpiry.peekSeq();
      const q = this.popDue(this.quoteExpiry).quote;
      // Skip slots whose quote was replaced since (a newer quote has its own entry).
      if (q === null || q.seq !== seq) continue;
      this.dropQuote(q, this.markets.get(q.marketId)!);
      this.pmFact(-1, q.pm);
      q.pm.quote = null;
      this.pmFact(1, q.pm);
      this.j?.push(this.undoLapse(q));
    }
    while (this.deadlines.due(time)) {
      const a = this.popDue(this.deadlines).assignment;
      if (a === null || !a.capacityHeld || a.deadline > time) continue;
      this.releaseCapacity(a);
      this.refresh(a.pm);
    }
    this.matchFresh();
  }

  // Undo records are built in methods of their own: a closure created in an event's method would
  // make V8 allocate that method's variables on the heap at every call, journaling or not.

  private undoQuote(
    q: QuoteEntry,
    old: QuoteEntry | null,
    lastNonce: bigint,
    nonceKey: number,
    n0: number,
    n1: number,
  ) {
    return () => {
      const pm = q.pm;
      this.digest.toggle(-1, FACT.quote, q.w0, q.w1);
      pm.quote = old;
      pm.lastNonce = lastNonce;
      pm.nonceKey = nonceKey;
      pm.n0 = n0;
      pm.n1 = n1;
      q.live = false;
    };
  }

  private undoRequest(r: RequestEntry) {
    return () => {
      this.requests.delete(r.id);
      this.requestFact(-1, r);
    };
  }

  private undoAssign(a: AssignmentEntry) {
    return () => {
      this.assignmentFact(-1, a);
      a.request.assignment = null;
      const p = a.pm.prover;
      setCollateral(p, p.total, p.held - a.collateral);
    };
  }

  private undoSettle(a: AssignmentEntry) {
    return () => {
      const p = a.pm.prover;
      setCollateral(p, p.total, p.held + a.collateral);
      a.request.assignment = a;
      this.assignmentFact(1, a);
    };
  }

  private undoLapse(q: QuoteEntry) {
    return () => {
      q.pm.quote = q;
    };
  }

  private undoCollateral(p: Prover, total: bigint) {
    return () => {
      setCollateral(p, total, p.held);
    };
  }

  private undoNewMarket(m: Market) {
    return () => {
      this.markets.delete(m.params.marketId);
      this.marketFact(-1, m);
    };
  }

  private undoMarketRules(m: Market, prev: Pick<Market, "params" | "cpr0" | "cpr1" | "cprKey">) {
    return () => Object.assign(m, prev);
  }

  /** Pop the earliest entry of a heap, journaling how to put it back. */
  private popDue<T>(heap: MinHeap<T>): T {
    const at = heap.peekAt();
    const seq = heap.peekSeq();
    const item = heap.pop()!;
    this.j?.push(undoPop(heap, at, seq, item));
    return item;
  }

  private clearFresh(): void {
    const markets = this.freshMarkets;
    for (let i = 0; i < markets.length; i++) markets.at(i).fresh.clear();
    markets.clear();
  }

  /** Give `r` to `q`'s prover at `q`'s price; hold one unit of capacity and the market's collateral. */
  private assign(r: RequestEntry, q: QuoteEntry, m: Market): void {
    if (r.status !== REQUEST_STATUS.assigned) this.setStatus(r, REQUEST_STATUS.assigned);
    const pm = q.pm;
    const a: AssignmentEntry = {
      request: r,
      quote: q,
      pm,
      seq: r.seq,
      deadline: this.time + q.provingTime,
      capacityHeld: true,
      collateral: m.params.collateralPerRequest,
      c0: m.cpr0,
      c1: m.cpr1,
    };
    r.assignment = a;
    setCollateral(pm.prover, pm.prover.total, pm.prover.held + a.collateral);
    this.assignmentFact(1, a);
    this.j?.push(this.undoAssign(a));
    this.addInFlight(pm, 1);
    // Keyed by the request: a settled assignment is not kept alive by the heap.
    this.deadlines.push(a.deadline, a.seq, r);
    this.out.push({
      requestId: r.id,
      quoteId: q.id,
      prover: q.prover,
      price: q.price,
      provingTime: q.provingTime,
    });
    if (a.collateral === 0n) this.refresh(pm);
    else this.refreshProver(pm.prover);
  }

  /**
   * Match waiting requests against the quotes that became eligible in this event. Before the event
   * no waiting request fitted any eligible quote, and matching only ever takes eligibility away; so
   * only a request that fits a fresh quote can match now. Those are taken in sequence order (across
   * markets too: they compete for the same provers' collateral), each to the best quote of its market.
   */
  private matchFresh(): void {
    const markets = this.freshMarkets;
    if (markets.length === 0) return;
    const candidates = this.candidates;
    for (let i = 0; i < markets.length; i++) {
      const m = markets.at(i);
      const qs = m.fresh;
      const book = m.book;
      if (book.waitingCount === 0) continue;
      let minPrice = qs.at(0).price;
      let minTime = qs.at(0).provingTime;
      for (let k = 1; k < qs.length; k++) {
        const q = qs.at(k);
        if (q.price < minPrice) minPrice = q.price;
        if (q.provingTime < minTime) minTime = q.provingTime;
      }
      if (minPrice > book.waitingMaxPrice || minTime > book.waitingMaxProvingTime) continue;
      for (let r = book.head; r !== null; r = r.next) if (fitsAny(qs, r)) candidates.push(r);
    }
    const several = markets.length > 1;
    this.clearFresh();
    if (several) candidates.sort(bySeq);
    for (let i = 0; i < candidates.length; i++) {
      const r = candidates.at(i);
      const m = this.markets.get(r.marketId)!;
      const q = m.book.best(r.maxPrice, r.provingTime);
      if (q === undefined) continue;
      m.book.unlink(r);
      this.j?.push(this.undoLink(m, r, false));
      this.assign(r, q, m);
    }
    candidates.clear();
  }
}

function fitsAny(qs: ScratchList<QuoteEntry>, r: RequestEntry): boolean {
  for (let i = 0; i < qs.length; i++) {
    const q = qs.at(i);
    if (q.price <= r.maxPrice && q.provingTime <= r.provingTime) return true;
  }
  return false;
}

/**
 * Is `nonce` at or below the prover's last in the market (a replay)? Number() of a bigint never
 * reverses order: keys that differ decide it without reading the stored bigint.
 */
function isStale(nonce: bigint, pm: ProverMarket): boolean {
  const k = Number(nonce);
  if (k !== pm.nonceKey) return k < pm.nonceKey;
  return nonce <= pm.lastNonce;
}

function bySeq(a: RequestEntry, b: RequestEntry): number {
  return a.seq - b.seq;
}

function undoPop<T>(heap: MinHeap<T>, at: number, seq: number, item: T): () => void {
  return () => heap.push(at, seq, item);
}

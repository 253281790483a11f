/**
 * The matching rule of DESIGN §3.4 over the state's primitives: give a request to a quote (holding
 * capacity and collateral, emitting the assignment), and re-match waiting requests against the quotes
 * that became eligible during an event. The engine (engine.ts) calls these from its events.
 */
import type { Assignment } from "../messages.js";
import { type Market, MatchingState, setCollateral } from "./matching-state.js";
import { ScratchList } from "./scratch-list.js";
import { assignmentFact } from "./state-facts.js";
import { type AssignmentEntry, type QuoteEntry, REQUEST_STATUS, type RequestEntry } from "./types.js";
import { undoAssign, undoLink } from "./undo.js";

/** The state and the rule that assigns its requests. */
export class MatchingRule extends MatchingState {
  /** Assignments produced since the last `takeAssignments`. */
  protected out: Assignment[] = [];
  /** Scratch list of matchFresh, kept between calls so that no event allocates one. */
  private readonly candidates = new ScratchList<RequestEntry>();

  /** The assignments produced since the last call, in the order they were made. */
  takeAssignments(): Assignment[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  protected clearFresh(): void {
    const markets = this.freshMarkets;
    for (let i = 0; i < markets.length; i++) markets.at(i).fresh.clear();
    markets.clear();
  }

  /** Give `r` to `q`'s prover at `q`'s price; hold one unit of capacity and the market's collateral. */
  protected assign(r: RequestEntry, q: QuoteEntry, m: Market): void {
    if (r.status !== REQUEST_STATUS.assigned) this.setStatus(r, REQUEST_STATUS.assigned);
    const pm = q.pm;
    const a: AssignmentEntry = {
      request: r,
      quote: q,
      pm,
      seq: r.seq,
      deadline: this.time + q.provingTime,
      capacityHeld: true,
      anchored: false,
      collateral: m.params.collateralPerRequest,
      c0: m.cpr0,
      c1: m.cpr1,
      fact0: 0,
      fact1: 0,
    };
    r.assignment = a;
    setCollateral(pm.prover, pm.prover.total, pm.prover.held + a.collateral);
    assignmentFact(this.digest, 1, a);
    this.j?.push(undoAssign(this, a));
    this.addInFlight(pm, 1);
    // Keyed by the request: a settled assignment is not kept alive by the heap.
    this.deadlines.push(a.deadline, a.seq, r);
    this.out.push({
      requestId: r.id,
      quoteId: q.id,
      prover: pm.prover.address,
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
  protected matchFresh(): void {
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
      this.j?.push(undoLink(m, r, false));
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

function bySeq(a: RequestEntry, b: RequestEntry): number {
  return a.seq - b.seq;
}

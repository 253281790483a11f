/**
 * The matching rule of DESIGN §3.4 over the state's primitives: give a request to a quote (holding
 * capacity and collateral, emitting the assignment), and re-match waiting requests against the quotes
 * that became eligible during an event. The engine (engine.ts) calls these from its events.
 */
import type { Assignment } from "../messages.js";
import { type Market, MatchingState, setCollateral } from "./matching-state.js";
import { NONE, type RequestStore } from "./request-store.js";
import { ScratchList } from "./scratch-list.js";
import { assignmentFact } from "./state-facts.js";
import { type QuoteEntry, REQUEST_STATUS } from "./types.js";
import { undoAssign, undoLink } from "./undo.js";

/** The state and the rule that assigns its requests. */
export class MatchingRule extends MatchingState {
  /** Assignments produced since the last `takeAssignments`. */
  protected out: Assignment[] = [];
  /** Scratch list of matchFresh (request rows), kept between calls so that no event allocates one. */
  private readonly candidates = new ScratchList<number>();
  private readonly bySeq = (a: number, b: number) => this.requestRows.seq(a) - this.requestRows.seq(b);

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

  /** Give request `h` to `q`'s prover at `q`'s price; hold one unit of capacity and the market's collateral. */
  protected assign(h: number, q: QuoteEntry, m: Market): void {
    const rows = this.requestRows;
    if (rows.status(h) !== REQUEST_STATUS.assigned) this.setStatus(h, REQUEST_STATUS.assigned);
    const pm = q.pm;
    const collateral = m.params.collateralPerRequest;
    const deadline = this.time + q.provingTime;
    rows.open(h, pm, q, collateral, m.cpr0, m.cpr1, deadline);
    setCollateral(pm.prover, pm.prover.total, pm.prover.held + collateral);
    assignmentFact(this.digest, 1, rows, h);
    this.j?.push(undoAssign(this, h));
    this.addInFlight(pm, 1);
    this.deadlines.push(deadline, rows.seq(h), h);
    this.out.push({
      requestId: rows.id(h),
      quoteId: q.id,
      prover: pm.prover.address,
      price: q.price,
      provingTime: q.provingTime,
    });
    if (collateral === 0n) this.refresh(pm);
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
      const rows = this.requestRows;
      for (let h = book.head; h !== NONE; h = rows.next(h)) if (fitsAny(qs, rows, h)) candidates.push(h);
    }
    const several = markets.length > 1;
    this.clearFresh();
    if (several) candidates.sort(this.bySeq);
    const rows = this.requestRows;
    for (let i = 0; i < candidates.length; i++) {
      const h = candidates.at(i);
      const m = this.markets.get(rows.marketId(h))!;
      const q = m.book.best(rows.maxPrices[h]!, rows.provingTime(h));
      if (q === undefined) continue;
      m.book.unlink(h);
      this.j?.push(undoLink(m, h, false));
      this.assign(h, q, m);
    }
    candidates.clear();
  }
}

function fitsAny(qs: ScratchList<QuoteEntry>, rows: RequestStore, h: number): boolean {
  const maxPrice = rows.maxPrices[h]!;
  const provingTime = rows.provingTime(h);
  for (let i = 0; i < qs.length; i++) {
    const q = qs.at(i);
    if (q.price <= maxPrice && q.provingTime <= provingTime) return true;
  }
  return false;
}

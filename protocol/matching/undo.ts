/**
 * Undo records: how each mutation of the matching state is taken back when a batch under
 * verification is rolled back (newest first, so each finds the state as its mutation left it).
 * They are built here, in functions of their own: a closure created in an event's method would make
 * V8 allocate that method's variables on the heap at every call, journaling or not.
 */
import type { Market, MatchingState } from "./matching-state.js";
import { setCollateral } from "./matching-state.js";
import type { MinHeap } from "./min-heap.js";
import {
  assignmentFact,
  assignmentHash,
  marketFact,
  pmFact,
  pmHash,
  proverFact,
  quoteFact,
  requestFact,
  requestHash,
} from "./state-facts.js";
import type { Prover, ProverMarket, QuoteEntry, RequestStatus } from "./types.js";

export function undoEligible(pm: ProverMarket, q: QuoteEntry, m: Market, on: boolean) {
  return () => {
    pm.eligible = !on;
    if (on) m.book.quotes.discard(q);
    else {
      m.book.quotes.insert(q);
      pm.quoteSlot = q.indexSlot;
    }
  };
}

export function undoDrop(s: MatchingState, q: QuoteEntry) {
  return () => {
    // The undo of its replacement (or lapse) ran first: `q` is its slot's quote again.
    quoteFact(s.digest, 1, q);
    q.pm.quoteFact0 = q.fact0;
    q.pm.quoteFact1 = q.fact1;
  };
}

export function undoStatus(s: MatchingState, h: number, old: RequestStatus) {
  return () => {
    s.requestRows.setStatus(h, old);
    requestHash(s.requestRows, h);
  };
}

export function undoInFlight(pm: ProverMarket, delta: 1 | -1) {
  return () => {
    pm.inFlight -= delta;
    pmHash(pm);
  };
}

export function undoNewProver(s: MatchingState, p: Prover) {
  return () => {
    proverFact(s.digest, -1, p);
    s.provers.delete(p.address);
  };
}

export function undoNewProverMarket(s: MatchingState, pm: ProverMarket, m: Market) {
  return () => {
    pmFact(s.digest, -1, pm);
    m.provers.pop();
    pm.prover.markets.pop();
    // The prover's own record was its first market's standing: it is unclaimed again.
    if (pm === pm.prover) pm.marketId = -1;
  };
}

/** The row of a request forgotten in a batch is not given back until the batch commits: it is here. */
export function undoForget(s: MatchingState, h: number) {
  return () => {
    const rows = s.requestRows;
    rows.setLive(h, true);
    s.requestIds.set(rows.id(h), h);
    requestFact(s.digest, 1, rows, h);
  };
}

/** Undo an append (`linked`) or an unlink of request `h` in `m`'s waiting list. */
export function undoLink(m: Market, h: number, linked: boolean) {
  return linked ? () => m.book.unlink(h) : () => m.book.relink(h);
}

export function undoQuote(
  s: MatchingState,
  q: QuoteEntry,
  old: QuoteEntry | null,
  nonceKey: number,
  n0: number,
  n1: number,
) {
  return () => {
    const pm = q.pm;
    quoteFact(s.digest, -1, q);
    pm.quote = old;
    pm.nonceKey = nonceKey;
    pm.n0 = n0;
    pm.n1 = n1;
    pmHash(pm);
  };
}

export function undoRequest(s: MatchingState, h: number) {
  return () => {
    const rows = s.requestRows;
    s.requestIds.delete(rows.id(h));
    requestFact(s.digest, -1, rows, h);
    // Made in this batch: no other undo needs its row.
    rows.release(h);
  };
}

export function undoAssign(s: MatchingState, h: number) {
  return () => {
    const rows = s.requestRows;
    assignmentFact(s.digest, -1, rows, h);
    rows.unopen(h);
    const p = rows.pms[h]!.prover;
    setCollateral(p, p.total, p.held - rows.collaterals[h]!);
  };
}

export function undoSettle(s: MatchingState, h: number) {
  return () => {
    const rows = s.requestRows;
    const p = rows.pms[h]!.prover;
    setCollateral(p, p.total, p.held + rows.collaterals[h]!);
    rows.setAssignmentOpen(h, true);
    assignmentFact(s.digest, 1, rows, h);
  };
}

export function undoLapse(q: QuoteEntry) {
  return () => {
    q.pm.quote = q;
  };
}

export function undoCollateral(p: Prover, total: bigint) {
  return () => {
    setCollateral(p, total, p.held);
  };
}

export function undoNewMarket(s: MatchingState, m: Market) {
  return () => {
    s.markets.delete(m.params.marketId);
    marketFact(s.digest, -1, m);
  };
}

export function undoMarketRules(m: Market, prev: Pick<Market, "params" | "cpr0" | "cpr1" | "cprKey">) {
  return () => Object.assign(m, prev);
}

export function undoPop<T>(heap: MinHeap<T>, at: number, seq: number, item: T): () => void {
  return () => heap.push(at, seq, item);
}

export function undoAnchored(s: MatchingState, h: number): () => void {
  return () => {
    s.requestRows.setAnchored(h, false);
    assignmentHash(s.requestRows, h);
  };
}

export function undoRelease(s: MatchingState, h: number): () => void {
  return () => {
    s.requestRows.setCapacityHeld(h, true);
    assignmentHash(s.requestRows, h);
  };
}

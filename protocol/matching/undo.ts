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
import type {
  AssignmentEntry,
  Prover,
  ProverMarket,
  QuoteEntry,
  RequestEntry,
  RequestStatus,
} from "./types.js";

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

export function undoStatus(r: RequestEntry, old: RequestStatus) {
  return () => {
    r.status = old;
    requestHash(r);
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

export function undoForget(s: MatchingState, r: RequestEntry) {
  return () => {
    s.requests.set(r.id, r);
    requestFact(s.digest, 1, r);
  };
}

/** Undo an append (`linked`) or an unlink of `r` in `m`'s waiting list. */
export function undoLink(m: Market, r: RequestEntry, linked: boolean) {
  return linked ? () => m.book.unlink(r) : () => m.book.relink(r);
}

export function undoQuote(
  s: MatchingState,
  q: QuoteEntry,
  old: QuoteEntry | null,
  lastNonce: bigint,
  nonceKey: number,
  n0: number,
  n1: number,
) {
  return () => {
    const pm = q.pm;
    quoteFact(s.digest, -1, q);
    pm.quote = old;
    pm.lastNonce = lastNonce;
    pm.nonceKey = nonceKey;
    pm.n0 = n0;
    pm.n1 = n1;
    pmHash(pm);
  };
}

export function undoRequest(s: MatchingState, r: RequestEntry) {
  return () => {
    s.requests.delete(r.id);
    requestFact(s.digest, -1, r);
  };
}

export function undoAssign(s: MatchingState, a: AssignmentEntry) {
  return () => {
    assignmentFact(s.digest, -1, a);
    a.request.assignment = null;
    const p = a.pm.prover;
    setCollateral(p, p.total, p.held - a.collateral);
  };
}

export function undoSettle(s: MatchingState, a: AssignmentEntry) {
  return () => {
    const p = a.pm.prover;
    setCollateral(p, p.total, p.held + a.collateral);
    a.request.assignment = a;
    assignmentFact(s.digest, 1, a);
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

export function undoAnchored(a: AssignmentEntry): () => void {
  return () => {
    a.anchored = false;
    assignmentHash(a);
  };
}

export function undoRelease(a: AssignmentEntry): () => void {
  return () => {
    a.capacityHeld = true;
    assignmentHash(a);
  };
}

/**
 * The facts of the matching state as the digest hashes them: each function toggles one record's fact
 * in (sign 1) or out (sign -1) of the multiset hash. A record's fact goes out before the record
 * changes and comes back in after, so the digest always covers the state as it is.
 *
 * Requests, quotes, prover-market slots and assignments change often: each keeps its fact's hash as
 * it went in (`FactHash`), so taking it out subtracts that instead of hashing again. An undo that
 * restores such a record's fields calls its `...Hash` function, so the stored hash is its fact's again.
 */
import type { Market } from "./matching-state.js";
import { FACT, hashFact, moneyWords, type StateDigest } from "./state-digest.js";
import type { AssignmentEntry, Prover, ProverMarket, QuoteEntry, RequestEntry } from "./types.js";

export function requestHash(r: RequestEntry): void {
  hashFact(r, FACT.request, r.w0, r.w1, r.status);
}

export function requestFact(d: StateDigest, sign: 1 | -1, r: RequestEntry): void {
  if (sign === -1) {
    d.remove(r);
    return;
  }
  requestHash(r);
  d.add(r);
}

/** A quote's fact never changes: hashed when it goes in (when it is made, or an undo brings it back). */
export function quoteFact(d: StateDigest, sign: 1 | -1, q: QuoteEntry): void {
  if (sign === -1) {
    d.remove(q);
    return;
  }
  hashFact(q, FACT.quote, q.w0, q.w1);
  d.add(q);
}

export function pmHash(pm: ProverMarket): void {
  const p = pm.prover;
  hashFact(pm, FACT.proverMarket, pm.marketId, p.w0, p.w1, pm.inFlight, pm.n0, pm.n1);
}

export function pmFact(d: StateDigest, sign: 1 | -1, pm: ProverMarket): void {
  if (sign === -1) {
    d.remove(pm);
    return;
  }
  pmHash(pm);
  d.add(pm);
}

export function proverFact(d: StateDigest, sign: 1 | -1, p: Prover): void {
  const [t0, t1] = moneyWords(p.total);
  d.toggle(sign, FACT.prover, p.w0, p.w1, t0, t1);
}

export function assignmentHash(a: AssignmentEntry): void {
  const r = a.request;
  const q = a.quote;
  const flags = (a.capacityHeld ? 1 : 0) | (a.anchored ? 2 : 0);
  hashFact(a, FACT.assignment, r.w0, r.w1, q.w0, q.w1, a.deadline | 0, flags, a.c0, a.c1);
}

export function assignmentFact(d: StateDigest, sign: 1 | -1, a: AssignmentEntry): void {
  if (sign === -1) {
    d.remove(a);
    return;
  }
  assignmentHash(a);
  d.add(a);
}

export function marketFact(d: StateDigest, sign: 1 | -1, m: Market): void {
  const p = m.params;
  const tee = p.requiresTee ? 1 : 0;
  d.toggle(sign, FACT.market, p.marketId, m.cpr0, m.cpr1, p.minProvingTime, p.maxProvingTime, tee);
}

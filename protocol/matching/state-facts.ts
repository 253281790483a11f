/**
 * The facts of the matching state as the digest hashes them: each function toggles one record's fact
 * in (sign 1) or out (sign -1) of the multiset hash. A record's fact goes out before the record
 * changes and comes back in after, so the digest always covers the state as it is.
 *
 * Requests, quotes, prover-market slots and assignments change often: each keeps its fact's hash as
 * it went in (`FactHash`; a request and its assignment in their row), so taking it out subtracts
 * that instead of hashing again. An undo that restores such a record's fields calls its `...Hash`
 * function, so the stored hash is its fact's again.
 */
import type { Market } from "./matching-state.js";
import type { RequestStore } from "./request-store.js";
import { FACT, type FactHash, hashFact, moneyWords, type StateDigest } from "./state-digest.js";
import type { Prover, ProverMarket, QuoteEntry } from "./types.js";

/** Scratch for hashing a row's fact: rows keep their hashes in their own arrays (RequestStore). */
const scratch: FactHash = { fact0: 0, fact1: 0 };

export function requestHash(s: RequestStore, h: number): void {
  hashFact(scratch, FACT.request, s.w0(h), s.w1(h), s.status(h));
  s.setFact(h, scratch.fact0, scratch.fact1);
}

export function requestFact(d: StateDigest, sign: 1 | -1, s: RequestStore, h: number): void {
  if (sign === -1) {
    d.subtract(s.fact0(h), s.fact1(h));
    return;
  }
  requestHash(s, h);
  d.add(scratch);
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

export function assignmentHash(s: RequestStore, h: number): void {
  const w0 = s.w0(h);
  const w1 = s.w1(h);
  const deadline = s.deadline(h) | 0;
  const c0 = s.collateralWord0(h);
  const c1 = s.collateralWord1(h);
  hashFact(
    scratch,
    FACT.assignment,
    w0,
    w1,
    s.quoteWord0(h),
    s.quoteWord1(h),
    deadline,
    s.assignmentFlags(h),
    c0,
    c1,
  );
  s.setAssignmentFact(h, scratch.fact0, scratch.fact1);
}

export function assignmentFact(d: StateDigest, sign: 1 | -1, s: RequestStore, h: number): void {
  if (sign === -1) {
    d.subtract(s.assignmentFact0(h), s.assignmentFact1(h));
    return;
  }
  assignmentHash(s, h);
  d.add(scratch);
}

export function marketFact(d: StateDigest, sign: 1 | -1, m: Market): void {
  const p = m.params;
  const tee = p.requiresTee ? 1 : 0;
  d.toggle(sign, FACT.market, p.marketId, m.cpr0, m.cpr1, p.minProvingTime, p.maxProvingTime, tee);
}

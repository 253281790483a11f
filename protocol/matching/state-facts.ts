/**
 * The facts of the matching state as the digest hashes them: each function toggles one record's fact
 * in (sign 1) or out (sign -1) of the multiset hash. A record's fact goes out before the record
 * changes and comes back in after, so the digest always covers the state as it is.
 */
import type { Market } from "./matching-state.js";
import { FACT, moneyWords, type StateDigest } from "./state-digest.js";
import type { AssignmentEntry, Prover, ProverMarket, RequestEntry } from "./types.js";

export function requestFact(d: StateDigest, sign: 1 | -1, r: RequestEntry): void {
  d.toggle(sign, FACT.request, r.w0, r.w1, r.status);
}

export function pmFact(d: StateDigest, sign: 1 | -1, pm: ProverMarket): void {
  const p = pm.prover;
  d.toggle(sign, FACT.proverMarket, pm.marketId, p.w0, p.w1, pm.inFlight, pm.n0, pm.n1);
}

export function proverFact(d: StateDigest, sign: 1 | -1, p: Prover): void {
  const [t0, t1] = moneyWords(p.total);
  d.toggle(sign, FACT.prover, p.w0, p.w1, t0, t1);
}

export function assignmentFact(d: StateDigest, sign: 1 | -1, a: AssignmentEntry): void {
  const r = a.request;
  const q = a.quote;
  const held = a.capacityHeld ? 1 : 0;
  d.toggle(sign, FACT.assignment, r.w0, r.w1, q.w0, q.w1, a.deadline | 0, held, a.c0, a.c1);
}

export function marketFact(d: StateDigest, sign: 1 | -1, m: Market): void {
  const p = m.params;
  const tee = p.requiresTee ? 1 : 0;
  d.toggle(sign, FACT.market, p.marketId, m.cpr0, m.cpr1, p.minProvingTime, p.maxProvingTime, tee);
}

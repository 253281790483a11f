import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Assignment,
  applyBatch,
  LogError,
  type LogEvent,
  type LogState,
  type SignedBatch,
  stateDigest,
  verifyBatch,
} from "../../protocol/index.js";
import {
  cancelEvent,
  collateralEvent,
  idOf,
  lead,
  marketEvent,
  NOW,
  newState,
  PROVER_ADDRESSES,
  quoteEvent,
  requestEvent,
  tamper,
} from "./log-world.js";

/** A log event to be signed at a given batch time (times in the plan are relative to it). */
type Plan =
  | { k: "request"; maxPrice: bigint; pt: number; ttl: number }
  | { k: "quote"; prover: number; price: bigint; pt: number; cap: number; ttl: number }
  | { k: "cancel"; target: number }
  | { k: "collateral"; prover: number; total: bigint }
  | { k: "proven"; target: number };

const plan: fc.Arbitrary<Plan> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant("request" as const),
      maxPrice: fc.bigInt({ min: 1n, max: 5n }),
      pt: fc.integer({ min: 10, max: 13 }),
      ttl: fc.integer({ min: 1, max: 8 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant("quote" as const),
      prover: fc.integer({ min: 0, max: 2 }),
      price: fc.bigInt({ min: 1n, max: 4n }),
      pt: fc.integer({ min: 10, max: 12 }),
      cap: fc.integer({ min: 1, max: 2 }),
      ttl: fc.integer({ min: 1, max: 10 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("cancel" as const), target: fc.nat(15) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("collateral" as const),
      prover: fc.integer({ min: 0, max: 2 }),
      total: fc.bigInt({ min: 0n, max: 40n }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("proven" as const), target: fc.nat(15) }) },
);

/** Signs plans into events at `time`; requests are remembered so cancels and proofs can name them. */
class Signer {
  readonly requests: LogEvent[] = [];
  events(plans: readonly Plan[], time: number): LogEvent[] {
    return plans.map((p) => this.event(p, time));
  }

  private event(p: Plan, time: number): LogEvent {
    switch (p.k) {
      case "request": {
        const e = requestEvent({ maxPrice: p.maxPrice, provingTime: p.pt, assignBy: time + p.ttl });
        this.requests.push(e);
        return e;
      }
      case "quote":
        return quoteEvent(p.prover, {
          price: p.price,
          provingTime: p.pt,
          capacity: p.cap,
          validUntil: time + p.ttl,
        });
      case "collateral":
        return collateralEvent(p.prover, p.total);
      case "cancel":
      case "proven": {
        const r = this.requests[p.target];
        const id = r ? idOf(r) : (`0x${"ee".repeat(32)}` as const);
        return p.k === "cancel" ? cancelEvent(id) : { kind: "proven", requestId: id, block: 3 };
      }
    }
  }
}

const setup = (): LogEvent[] => [
  marketEvent(1, 10n),
  ...PROVER_ADDRESSES.map((_, i) => collateralEvent(i, 20n)),
];
const batches = fc.array(fc.record({ dt: fc.nat(4), plans: fc.array(plan, { maxLength: 8 }) }), {
  minLength: 1,
  maxLength: 5,
});

/** The leader's log for a plan of batches, from a first setup batch. */
function leaderLog(plans: { dt: number; plans: Plan[] }[]): SignedBatch[] {
  const leader = newState();
  const signer = new Signer();
  const out = [lead(leader, setup(), NOW, { term: 1 })];
  let time = NOW;
  for (const b of plans) {
    time += b.dt;
    out.push(lead(leader, signer.events(b.plans, time), time));
  }
  return out;
}

const fingerprint = (s: LogState) => ({ head: { ...s.head }, digest: stateDigest(s) });

describe("protocol/log: properties", () => {
  it("two replays of the same log give the leader's digest after every batch", () => {
    fc.assert(
      fc.property(batches, (plans) => {
        const log = leaderLog(plans);
        const a = newState();
        const b = newState();
        for (const batch of log) {
          assert.deepEqual(applyBatch(a, batch).assignments, batch.assignments);
          applyBatch(b, batch);
          assert.equal(stateDigest(a), batch.header.stateDigest, `replica a at batch ${batch.header.seq}`);
          assert.equal(stateDigest(b), batch.header.stateDigest, `replica b at batch ${batch.header.seq}`);
        }
        assert.deepEqual(fingerprint(a), fingerprint(b));
      }),
      { numRuns: 60 },
    );
  });

  it("the same events in batches of any sizes give the same assignments and state", () => {
    fc.assert(
      fc.property(fc.array(plan, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(25)), (plans, cuts) => {
        const events = [...setup(), ...new Signer().events(plans, NOW)];
        const whole = newState();
        const one = lead(whole, events, NOW, { term: 1 });
        const split = newState();
        const bounds = [...new Set([0, ...cuts.map((c) => c % (events.length + 1)), events.length])].sort(
          (x, y) => x - y,
        );
        const made: Assignment[] = [];
        for (let i = 1; i < bounds.length; i++) {
          made.push(...lead(split, events.slice(bounds[i - 1], bounds[i]), NOW, { term: 1 }).assignments);
        }
        assert.deepEqual(made, one.assignments, `cut at ${bounds.join(",")}`);
        assert.deepEqual(split.engine.digest.save(), whole.engine.digest.save(), "same state");
      }),
      { numRuns: 60 },
    );
  });

  /** Every way to alter a non-empty list of assignments. */
  const alteration = fc.oneof(
    fc.record({
      kind: fc.constant("field" as const),
      at: fc.nat(),
      field: fc.constantFrom("requestId", "quoteId", "prover", "price", "provingTime"),
    }),
    fc.record({
      kind: fc.constantFrom("drop" as const, "duplicate" as const, "append" as const),
      at: fc.nat(),
    }),
    fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
  );

  function alter(list: Assignment[], a: Alteration): boolean {
    const i = a.at % list.length;
    const x = list[i]!;
    switch (a.kind) {
      case "field": {
        const flip = (h: string) => `${h.slice(0, -1)}${h.endsWith("0") ? "1" : "0"}` as `0x${string}`;
        if (a.field === "price") list[i] = { ...x, price: x.price + 1n };
        else if (a.field === "provingTime") list[i] = { ...x, provingTime: x.provingTime + 1 };
        else list[i] = { ...x, [a.field]: flip(x[a.field]) };
        return true;
      }
      case "drop":
        list.splice(i, 1);
        return true;
      case "duplicate":
        list.splice(i, 0, { ...x });
        return true;
      case "append":
        list.push({ ...x, requestId: `0x${"cd".repeat(32)}` });
        return true;
      case "swap": {
        const j = a.with % list.length;
        if (j === i || JSON.stringify(list[j], big) === JSON.stringify(x, big)) return false;
        list[i] = list[j]!;
        list[j] = x;
        return true;
      }
    }
  }

  it("a batch whose assignments were altered in any way fails verifyBatch and changes nothing", () => {
    fc.assert(
      fc.property(batches, alteration, fc.boolean(), (plans, a, rehash) => {
        // End with a quote and a request that fit, so the last batch usually has an assignment.
        const last = { dt: 0, plans: [quoteEvent0, requestEvent0] as Plan[] };
        const log = leaderLog([...plans, last]);
        const target = log[log.length - 1]!;
        fc.pre(target.assignments.length > 0);
        const follower = newState();
        for (const b of log.slice(0, -1)) applyBatch(follower, b);
        const list = target.assignments.map((x) => ({ ...x }));
        fc.pre(alter(list, a as Alteration));
        const bad = rehash ? tamper(target, (b) => (b.assignments = list)) : { ...target, assignments: list };
        const before = fingerprint(follower);
        assert.throws(
          () => verifyBatch(follower, bad),
          (err: unknown) =>
            err instanceof LogError && ["LOG_ASSIGNMENTS_DIFFER", "LOG_BODY_MISMATCH"].includes(err.code),
        );
        assert.deepEqual(fingerprint(follower), before, "nothing changed");
        assert.deepEqual(
          applyBatch(follower, target).assignments,
          target.assignments,
          "the true batch applies",
        );
      }),
      { numRuns: 80 },
    );
  });
});

type Alteration =
  | { kind: "field"; at: number; field: "requestId" | "quoteId" | "prover" | "price" | "provingTime" }
  | { kind: "drop" | "duplicate" | "append"; at: number }
  | { kind: "swap"; at: number; with: number };

const quoteEvent0: Plan = { k: "quote", prover: 0, price: 1n, pt: 10, cap: 2, ttl: 10 };
const requestEvent0: Plan = { k: "request", maxPrice: 5n, pt: 13, ttl: 8 };
const big = (_: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

import assert from "node:assert/strict";
import fc from "fast-check";
import type { Address, Hex32 } from "../../protocol/bytes.js";
import { MatchingEngine } from "../../protocol/matching/engine.js";
import type { RequestInput } from "../../protocol/matching/types.js";
import { Model } from "./matching-model.js";

const PROVER_ADDRS = [1, 2, 3].map((i) => `0x${String(i).repeat(40)}` as Address);
const REQUESTERS = [`0x${"a".repeat(40)}`, `0x${"b".repeat(40)}`] as Address[];
const T0 = 100;
/** A short anchoring grace, so that random logs reach the void of unanchored assignments. */
const GRACE = 2;

/** One step of a random log, over a small world so that collisions (ties, full provers) are common. */
type Op =
  | { k: "market"; marketId: number; cpr: bigint }
  | { k: "collateral"; prover: number; total: bigint }
  | {
      k: "request";
      marketId: number;
      maxPrice: bigint;
      pt: number;
      ttl: number;
      requester: number;
      dup: number;
    }
  | {
      k: "quote";
      marketId: number;
      prover: number;
      price: bigint;
      pt: number;
      cap: number;
      ttl: number;
      nonce: bigint;
    }
  | { k: "cancel"; target: number; requester: number }
  | { k: "settle"; target: number }
  | { k: "anchored"; target: number }
  | { k: "advance"; dt: number };

const small = (max: number) => fc.integer({ min: 0, max });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("market" as const),
      marketId: fc.integer({ min: 1, max: 2 }),
      cpr: fc.bigInt({ min: 0n, max: 3n }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("collateral" as const),
      prover: small(2),
      total: fc.bigInt({ min: 0n, max: 12n }),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant("request" as const),
      marketId: fc.integer({ min: 1, max: 3 }),
      maxPrice: fc.bigInt({ min: 1n, max: 5n }),
      pt: fc.integer({ min: 1, max: 4 }),
      ttl: small(6),
      requester: small(1),
      // Usually a new id; sometimes the id of an earlier request (a duplicate).
      dup: fc.oneof({ weight: 5, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: small(20) }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant("quote" as const),
      marketId: fc.integer({ min: 1, max: 3 }),
      prover: small(2),
      price: fc.bigInt({ min: 1n, max: 4n }),
      pt: fc.integer({ min: 1, max: 3 }),
      cap: fc.integer({ min: 1, max: 3 }),
      ttl: fc.integer({ min: 1, max: 12 }),
      nonce: fc.bigInt({ min: 0n, max: 6n }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant("cancel" as const), target: small(20), requester: small(1) }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("settle" as const), target: small(20) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("anchored" as const), target: small(20) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("advance" as const), dt: small(3) }) },
);
const ops = fc.array(op, { minLength: 5, maxLength: 80, size: "max" });

const hex32 = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex32;

/** Feeds the same ops to the engine and the model; `check` runs after every op. */
function run(list: readonly Op[], check?: (m: Model, e: MatchingEngine, fresh: number) => void) {
  const e = new MatchingEngine({ anchorGrace: GRACE });
  const m = new Model(GRACE);
  const made: ReturnType<MatchingEngine["takeAssignments"]> = [];
  const requestIds: Hex32[] = [];
  const requests: RequestInput[] = [];
  let n = 1;
  let time = T0;
  e.advance(time);
  m.advance(time);
  for (const marketId of [1, 2]) {
    const p = {
      marketId,
      collateralPerRequest: 1n,
      minProvingTime: 1,
      maxProvingTime: 10,
      requiresTee: false,
    };
    e.market(p);
    m.market(p);
  }
  // Some collateral to start with, so that most quotes can take work.
  for (const prover of PROVER_ADDRS) {
    e.collateral(prover, 4n);
    m.setCollateral(prover, 4n);
  }
  for (const o of list) {
    const before = m.made.length;
    switch (o.k) {
      case "market": {
        const p = {
          marketId: o.marketId,
          collateralPerRequest: o.cpr,
          minProvingTime: 1,
          maxProvingTime: 10,
          requiresTee: false,
        };
        e.market(p);
        m.market(p);
        break;
      }
      case "collateral":
        e.collateral(PROVER_ADDRS[o.prover]!, o.total);
        m.setCollateral(PROVER_ADDRS[o.prover]!, o.total);
        break;
      case "request": {
        // A duplicate is the very same request again: an id is the hash of every field.
        const r = requests[o.dup] ?? {
          id: hex32(n++),
          marketId: o.marketId,
          requester: REQUESTERS[o.requester]!,
          maxPrice: o.maxPrice,
          assignBy: time + o.ttl,
          provingTime: o.pt,
        };
        requests.push(r);
        requestIds.push(r.id);
        e.request(r);
        m.request(r);
        break;
      }
      case "quote": {
        const q = {
          id: hex32(0x10000 + n++),
          marketId: o.marketId,
          prover: PROVER_ADDRS[o.prover]!,
          price: o.price,
          provingTime: o.pt,
          capacity: o.cap,
          validUntil: time + o.ttl,
          nonce: o.nonce,
        };
        e.quote(q);
        m.quote(q);
        break;
      }
      case "cancel": {
        const id = requestIds[o.target] ?? hex32(0xdead);
        e.cancel(id, REQUESTERS[o.requester]!);
        m.cancel(id, REQUESTERS[o.requester]!);
        break;
      }
      case "settle": {
        const id = requestIds[o.target] ?? hex32(0xdead);
        e.settle(id);
        m.settle(id);
        break;
      }
      case "anchored": {
        const id = requestIds[o.target] ?? hex32(0xdead);
        e.anchored(id);
        m.anchored(id);
        break;
      }
      case "advance":
        time += o.dt;
        e.advance(time);
        m.advance(time);
        break;
    }
    made.push(...e.takeAssignments());
    check?.(m, e, before);
  }
  return { e, m, made };
}

describe("protocol/matching: properties", () => {
  it("the engine makes exactly the assignments of the reference model", () => {
    fc.assert(
      fc.property(ops, (list) => {
        const { m, made } = run(list);
        assert.deepEqual(made, m.made);
      }),
      { numRuns: 400 },
    );
  });

  it("no request is matched above its maxPrice or with a longer proving time; the prover gets its price", () => {
    fc.assert(
      fc.property(ops, (list) => {
        run(list, (m, _e, before) => {
          for (const a of m.made.slice(before)) {
            const r = m.open.find((x) => x.request.id === a.requestId)!;
            assert.ok(a.price <= r.request.maxPrice, `price ${a.price} > maxPrice ${r.request.maxPrice}`);
            assert.ok(a.provingTime <= r.request.provingTime, "proving time longer than the request allows");
            assert.equal(a.price, r.quote.price, "paid the quoted price");
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it("no prover ever exceeds its capacity or its free collateral", () => {
    fc.assert(
      fc.property(ops, (list) => {
        run(list, (m, e, before) => {
          for (const a of m.made.slice(before)) {
            const open = m.open.find((x) => x.request.id === a.requestId)!;
            const q = open.quote;
            assert.ok(m.inFlight(q.marketId, q.prover) <= q.capacity, `prover ${q.prover} over capacity`);
            const total = m.collateral.get(q.prover) ?? 0n;
            assert.ok(m.held(q.prover) <= total, `prover ${q.prover} holds ${m.held(q.prover)} of ${total}`);
            assert.equal(e.provers.get(q.prover)!.held, m.held(q.prover), "engine and model hold the same");
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it("a cancelled or expired request is never matched", () => {
    fc.assert(
      fc.property(ops, (list) => {
        const cancelled = new Set<Hex32>();
        const { made } = run(list, (m, _e, before) => {
          for (const a of m.made.slice(before)) {
            const r = m.open.find((x) => x.request.id === a.requestId)!.request;
            assert.ok(!cancelled.has(r.id), "matched after cancel");
            assert.ok(m.time < r.assignBy, `matched at ${m.time}, assign-by ${r.assignBy}`);
          }
          for (const r of m.requests.values()) if (r.state === "cancelled") cancelled.add(r.id);
        });
        for (const a of made) assert.ok(!cancelled.has(a.requestId));
      }),
      { numRuns: 300 },
    );
  });

  it("the same events give the same digest; rollback restores it exactly", () => {
    fc.assert(
      fc.property(ops, ops, ops, (first, second, third) => {
        const a = run(first).e;
        const b = run(first).e;
        assert.deepEqual(a.digest.save(), b.digest.save(), "two replays, one digest");
        // Apply `second` inside a transaction on `a`, roll it back: a must equal b again.
        a.begin();
        replayOn(a, second);
        a.rollback();
        assert.deepEqual(a.digest.save(), b.digest.save(), "rollback restores the digest");
        assert.deepEqual(dump(a), dump(b), "rollback restores every record");
        // Other events then take the rolled-back ones' sequence numbers (as the next batch does
        // after a follower rejects one): nothing of `second` may act on them.
        replayOn(a, third);
        replayOn(b, third);
        assert.deepEqual(a.takeAssignments(), b.takeAssignments(), "and then behaves the same");
        assert.deepEqual(a.digest.save(), b.digest.save());
        assert.deepEqual(dump(a), dump(b));
      }),
      { numRuns: 500 },
    );
  });

  it("different states give different digests", () => {
    const a = run([{ k: "collateral", prover: 0, total: 5n }]).e;
    const b = run([{ k: "collateral", prover: 0, total: 6n }]).e;
    assert.notDeepEqual(a.digest.save(), b.digest.save());
  });
});

/**
 * Replay ops on an existing engine with fresh ids (only for the rollback property). Targets are
 * picked from sorted ids: a rollback may change a Map's insertion order, never its contents.
 */
function replayOn(e: MatchingEngine, list: readonly Op[]): void {
  let n = 0x900000;
  for (const o of list) {
    if (o.k === "request")
      e.request({
        id: hex32(n++),
        marketId: o.marketId,
        requester: REQUESTERS[o.requester]!,
        maxPrice: o.maxPrice,
        assignBy: e.time + o.ttl,
        provingTime: o.pt,
      });
    else if (o.k === "quote")
      e.quote({
        id: hex32(n++),
        marketId: o.marketId,
        prover: PROVER_ADDRS[o.prover]!,
        price: o.price,
        provingTime: o.pt,
        capacity: o.cap,
        validUntil: e.time + o.ttl,
        nonce: o.nonce,
      });
    else if (o.k === "collateral") e.collateral(PROVER_ADDRS[o.prover]!, o.total);
    else if (o.k === "advance") e.advance(e.time + o.dt);
    else if (o.k === "settle")
      e.settle([...e.openAssignments()].map((a) => a.request.id).sort()[o.target] ?? hex32(1));
    else if (o.k === "anchored")
      e.anchored([...e.openAssignments()].map((a) => a.request.id).sort()[o.target] ?? hex32(1));
    else if (o.k === "cancel")
      e.cancel([...e.requests.keys()].sort()[o.target] ?? hex32(1), REQUESTERS[o.requester]!);
    else
      e.market({
        marketId: o.marketId,
        collateralPerRequest: o.cpr,
        minProvingTime: 1,
        maxProvingTime: 10,
        requiresTee: false,
      });
  }
}

/** Every record of the engine as plain data, in a canonical order. */
function dump(e: MatchingEngine): unknown {
  const sorted = <T>(xs: T[], key: (x: T) => string) => xs.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return {
    time: e.time,
    nextSeq: e.nextSeq,
    markets: [...e.markets.values()].map((m) => ({
      params: m.params,
      eligible: [...m.book.quotes].map((q) => q.id),
      waiting: [...m.book.waiting()].map((r) => r.id),
      provers: m.provers.map((pm) => `${pm.prover.address}/${pm.marketId}`),
    })),
    provers: sorted([...e.provers.values()], (p) => p.address).map((p) => ({
      address: p.address,
      total: p.total,
      held: p.held,
      markets: p.markets.map((pm) => ({
        quote: pm.quote?.id,
        nonce: [pm.nonceKey, pm.n0, pm.n1],
        inFlight: pm.inFlight,
        eligible: pm.eligible,
      })),
    })),
    requests: sorted([...e.requests.values()], (r) => r.id).map((r) => [r.id, r.status]),
    assignments: sorted([...e.openAssignments()], (a) => a.request.id).map((a) => [
      a.request.id,
      a.quote.id,
      a.deadline,
      a.capacityHeld,
      a.collateral,
    ]),
  };
}

describe("protocol/matching: the generator exercises the rule", () => {
  it("random logs make assignments, leave requests waiting and hit capacity", () => {
    let assigned = 0;
    let waiting = 0;
    let full = 0;
    for (const list of fc.sample(ops, { numRuns: 100, seed: 1 })) {
      const { m, made } = run(list);
      assigned += made.length;
      waiting += [...m.requests.values()].filter((r) => r.state === "waiting").length;
      full += [...m.quotes.values()].filter((q) => m.inFlight(q.marketId, q.prover) >= q.capacity).length;
    }
    assert.ok(assigned > 200, `assignments made: ${assigned}`);
    assert.ok(waiting > 20, `requests left waiting: ${waiting}`);
    assert.ok(full > 20, `quotes at capacity: ${full}`);
  });
});

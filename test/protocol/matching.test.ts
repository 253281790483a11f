import assert from "node:assert/strict";
import type { Address, Hex32 } from "../../protocol/bytes.js";
import { ANCHOR_GRACE_S } from "../../protocol/constants.js";
import { MatchingEngine } from "../../protocol/matching/engine.js";
import { REQUEST_STATUS } from "../../protocol/matching/types.js";
import { PROVERS, type ProverName, T0, World } from "./matching-world.js";

const hex32Of = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex32;

/** One rule per row: set up quotes, send a request, check who gets it and at what price. */
interface Case {
  name: string;
  quotes: { prover: ProverName; price: bigint; provingTime: number }[];
  request: { maxPrice: bigint; provingTime: number };
  /** The prover expected to get the request, or undefined when it must wait. */
  winner: ProverName | undefined;
}

const CASES: Case[] = [
  {
    name: "cheapest quote wins",
    quotes: [
      { prover: "p", price: 300n, provingTime: 60 },
      { prover: "q", price: 100n, provingTime: 60 },
      { prover: "r", price: 200n, provingTime: 60 },
    ],
    request: { maxPrice: 1000n, provingTime: 120 },
    winner: "q",
  },
  {
    name: "price above maxPrice never matches",
    quotes: [{ prover: "p", price: 101n, provingTime: 60 }],
    request: { maxPrice: 100n, provingTime: 120 },
    winner: undefined,
  },
  {
    name: "price equal to maxPrice matches",
    quotes: [{ prover: "p", price: 100n, provingTime: 60 }],
    request: { maxPrice: 100n, provingTime: 120 },
    winner: "p",
  },
  {
    name: "a cheaper quote that is too slow is skipped",
    quotes: [
      { prover: "p", price: 50n, provingTime: 121 },
      { prover: "q", price: 90n, provingTime: 120 },
    ],
    request: { maxPrice: 100n, provingTime: 120 },
    winner: "q",
  },
  {
    name: "only too-slow quotes: the request waits",
    quotes: [{ prover: "p", price: 50n, provingTime: 500 }],
    request: { maxPrice: 100n, provingTime: 120 },
    winner: undefined,
  },
  {
    name: "equal price: shorter proving time wins",
    quotes: [
      { prover: "p", price: 100n, provingTime: 90 },
      { prover: "q", price: 100n, provingTime: 30 },
      { prover: "r", price: 100n, provingTime: 60 },
    ],
    request: { maxPrice: 100n, provingTime: 120 },
    winner: "q",
  },
  {
    name: "equal price and proving time: earlier sequence wins",
    quotes: [
      { prover: "r", price: 100n, provingTime: 60 },
      { prover: "p", price: 100n, provingTime: 60 },
    ],
    request: { maxPrice: 100n, provingTime: 120 },
    winner: "r",
  },
  {
    name: "price beats proving time",
    quotes: [
      { prover: "p", price: 100n, provingTime: 10 },
      { prover: "q", price: 99n, provingTime: 119 },
    ],
    request: { maxPrice: 100n, provingTime: 120 },
    winner: "q",
  },
];

describe("protocol/matching: the rule", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const w = new World();
      for (const q of c.quotes) w.quote(q.prover, { price: q.price, provingTime: q.provingTime });
      const r = w.request(c.request);
      assert.equal(w.proverOf(r.id), c.winner, `${c.name}: winner`);
      assert.equal(r.outcome, c.winner ? "assigned" : "waiting", `${c.name}: outcome`);
      if (c.winner) {
        const won = c.quotes.find((q) => q.prover === c.winner)!;
        const a = w.assignmentOf(r.id)!;
        assert.equal(a.price, won.price, "the prover is paid its quoted price, not maxPrice");
        assert.equal(a.provingTime, won.provingTime, "the assignment carries the quote's proving time");
      }
    });
  }

  it("a waiting request is matched as soon as a fitting quote arrives", () => {
    const w = new World();
    const r = w.request({ maxPrice: 100n });
    assert.equal(r.outcome, "waiting");
    w.quote("p", { price: 200n });
    assert.equal(w.proverOf(r.id), undefined, "too expensive: still waiting");
    w.quote("q", { price: 100n });
    assert.equal(w.proverOf(r.id), "q", "fitting quote arrived");
  });

  it("waiting requests are matched in sequence order when capacity is scarce", () => {
    const w = new World();
    const first = w.request();
    const second = w.request();
    const third = w.request();
    w.quote("p", { capacity: 2 });
    assert.deepEqual(
      [first, second, third].map((r) => w.proverOf(r.id)),
      ["p", "p", undefined],
      "first two by sequence",
    );
  });

  it("a request past its assign-by time is never matched", () => {
    const w = new World();
    const r = w.request({ assignBy: T0 + 10 });
    w.advance(T0 + 10);
    assert.equal(w.e.requests.has(r.id), false, "dropped at assign-by");
    w.quote("p");
    assert.equal(w.proverOf(r.id), undefined);
    assert.equal(w.request({ assignBy: T0 + 10 }).outcome, "expired", "arriving expired");
  });

  it("a quote past valid-until drops out", () => {
    const w = new World();
    w.quote("p", { price: 50n, validUntil: T0 + 10 });
    w.quote("q", { price: 90n, validUntil: T0 + 100 });
    w.advance(T0 + 10);
    assert.equal(w.proverOf(w.request().id), "q", "p lapsed at T0+10");
    assert.equal(w.quote("r", { validUntil: T0 + 10 }).outcome, "expired", "arriving expired");
  });

  it("cancel before a match: the request never matches", () => {
    const w = new World();
    const r = w.request();
    assert.equal(w.cancel(r.id), "cancelled");
    w.quote("p");
    assert.equal(w.proverOf(r.id), undefined, "cancelled request stays unmatched");
    assert.equal(w.e.requests.get(r.id)?.status, REQUEST_STATUS.cancelled);
    assert.equal(w.cancel(r.id), "not_waiting", "second cancel is a no-op");
  });

  it("cancel after a match is too late: the assignment stands", () => {
    const w = new World();
    w.quote("p");
    const r = w.request();
    assert.equal(w.cancel(r.id), "not_waiting");
    assert.equal(w.proverOf(r.id), "p");
    assert.ok(w.e.assignment(r.id), "assignment still open");
  });

  it("only the requester cancels; unknown requests are no-ops", () => {
    const w = new World();
    const r = w.request();
    const cases: [string, ReturnType<World["cancel"]>][] = [
      ["other requester", w.cancel(r.id, `0x${"b0".repeat(20)}`)],
      ["unknown request", w.cancel(`0x${"ee".repeat(32)}`)],
    ];
    assert.deepEqual(cases, [
      ["other requester", "not_requester"],
      ["unknown request", "unknown_request"],
    ]);
    w.quote("p");
    assert.equal(w.proverOf(r.id), "p", "the request was not cancelled");
  });

  it("capacity: exhausted, then released by proof, slash or deadline", () => {
    const w = new World();
    w.quote("p", { price: 10n, capacity: 2, provingTime: 60 });
    w.quote("q", { price: 20n, capacity: 1 });
    const [a, b, c, d] = [w.request(), w.request(), w.request(), w.request()];
    assert.deepEqual(
      [a, b, c, d].map((r) => w.proverOf(r.id)),
      ["p", "p", "q", undefined],
      "p full after 2, q after 1",
    );
    assert.equal(w.settle(a.id), "settled");
    assert.equal(w.proverOf(d.id), "p", "proof frees one unit: the waiting request takes it");
    const e = w.request();
    assert.equal(w.proverOf(e.id), undefined, "p full again");
    w.settle(c.id); // a slash settles the same way
    assert.equal(w.proverOf(e.id), "q", "slash of q's assignment frees q");
    const f = w.request();
    w.advance(T0 + 60);
    assert.equal(w.proverOf(f.id), "p", "p's deadlines passed: capacity free again");
  });

  it("collateral: exhausted, then released by proof; a deadline frees capacity but not collateral", () => {
    const w = new World({ collateralPerRequest: 10n }, 0n);
    w.collateral("p", 20n);
    w.quote("p", { price: 10n, capacity: 100 });
    const [a, b, c] = [w.request(), w.request(), w.request()];
    assert.deepEqual(
      [a, b, c].map((r) => w.proverOf(r.id)),
      ["p", "p", undefined],
      "20 wei covers two requests at 10",
    );
    w.advance(T0 + 60);
    assert.equal(
      w.proverOf(c.id),
      undefined,
      "deadline passed, collateral still locked until proof or slash",
    );
    w.settle(a.id);
    assert.equal(w.proverOf(c.id), "p", "proof released 10 wei");
    const d = w.request();
    w.collateral("p", 40n);
    assert.equal(w.proverOf(d.id), "p", "a deposit raises free collateral");
    assert.equal(w.e.provers.get(PROVERS.p)!.held, 30n, "three open assignments hold 30");
  });

  it("collateral is shared across markets", () => {
    const w = new World({ collateralPerRequest: 10n }, 0n);
    w.market({ marketId: 2, collateralPerRequest: 10n });
    w.collateral("p", 10n);
    w.quote("p");
    w.quote("p", { marketId: 2 });
    const a = w.request();
    const b = w.request({ marketId: 2 });
    assert.equal(w.proverOf(a.id), "p");
    assert.equal(w.proverOf(b.id), undefined, "p's only 10 wei is held by market 1");
    w.settle(a.id);
    assert.equal(w.proverOf(b.id), "p", "released in market 1, used in market 2");
  });

  it("a market's collateral per request change re-checks every quote", () => {
    const w = new World({ collateralPerRequest: 10n }, 0n);
    w.collateral("p", 15n);
    w.quote("p");
    w.market({ collateralPerRequest: 20n });
    const r = w.request();
    assert.equal(w.proverOf(r.id), undefined, "15 < 20");
    w.market({ collateralPerRequest: 15n });
    assert.equal(w.proverOf(r.id), "p", "15 >= 15");
  });

  it("a newer quote replaces the prover's quote; an older nonce is a replay", () => {
    const w = new World();
    w.quote("p", { price: 100n, nonce: 5n, capacity: 1 });
    assert.equal(w.quote("p", { price: 1n, nonce: 5n }).outcome, "stale_nonce");
    assert.equal(w.quote("p", { price: 1n, nonce: 4n }).outcome, "stale_nonce");
    const a = w.request();
    assert.equal(w.assignmentOf(a.id)?.price, 100n, "replays did not change the price");
    const q2 = w.quote("p", { price: 90n, nonce: 6n, capacity: 1 });
    const b = w.request();
    assert.equal(w.proverOf(b.id), undefined, "in-flight work carries over: capacity 1 is used");
    w.settle(a.id);
    assert.equal(w.assignmentOf(b.id)?.quoteId, q2.id, "the new quote takes it at the new price");
  });

  it("nonces that round to one float are told apart by their words, read unsigned", () => {
    // Near 2^63 floats are 2^11 apart: each pair below has one float key. The first crosses the
    // high word's sign bit, the second the low word's.
    for (const base of [2n ** 63n, 2n ** 63n + 2n ** 31n]) {
      const w = new World();
      assert.equal(Number(base - 1n), Number(base + 1n), "one key for both");
      assert.equal(w.quote("p", { nonce: base - 1n }).outcome, "quoted");
      assert.equal(w.quote("p", { nonce: base + 1n }).outcome, "quoted", `${base + 1n} is newer`);
      assert.equal(w.quote("p", { nonce: base - 1n }).outcome, "stale_nonce", `${base - 1n} is older`);
      assert.equal(w.quote("p", { nonce: base + 1n }).outcome, "stale_nonce", "the same nonce is a replay");
    }
  });

  it("provers whose addresses share all but a few digits are distinct provers", () => {
    // The id table keys on the last 64 bits and tells records apart by the other words: addresses
    // that differ only in their first digits, only in the middle ones (digits 18-26, which neither
    // the table's words nor the digest's cover alone), or only in the last one.
    const tail = "0123456789abcdef";
    const addresses = [
      `0x${"1".repeat(24)}${tail}`,
      `0x${"2".repeat(24)}${tail}`,
      `0x${"1".repeat(16)}${"3".repeat(8)}${tail}`,
      `0x${"1".repeat(24)}${tail.slice(0, 15)}0`,
    ] as Address[];
    const e = new MatchingEngine();
    e.advance(T0);
    e.market({
      marketId: 1,
      collateralPerRequest: 0n,
      minProvingTime: 1,
      maxProvingTime: 3600,
      requiresTee: false,
    });
    for (const [i, a] of addresses.entries()) e.collateral(a, BigInt(i + 1));
    assert.equal(e.provers.size, addresses.length, "one record each");
    for (const [i, a] of addresses.entries()) {
      assert.equal(e.provers.get(a)?.total, BigInt(i + 1), `collateral of ${a}`);
    }
  });

  it("an assignment the chain never confirmed is void at assign-by + grace; an anchored one stays", () => {
    const w = new World();
    w.quote("p", { capacity: 2 });
    const a = w.request();
    const b = w.request();
    const p = () => w.e.provers.get(PROVERS.p)!;
    assert.deepEqual([w.proverOf(a.id), w.proverOf(b.id), p().held], ["p", "p", 20n]);
    assert.equal(w.e.anchored(a.id), "anchored");
    assert.equal(w.e.anchored(hex32Of(0xdead)), "unknown_request");
    const assignBy = T0 + 500;
    w.e.advance(assignBy + ANCHOR_GRACE_S - 1);
    assert.equal(p().held, 20n, "both kept until the grace is over");
    w.e.begin();
    w.e.advance(assignBy + ANCHOR_GRACE_S);
    assert.deepEqual([p().held, w.e.voided], [10n, 1]);
    w.e.rollback();
    assert.deepEqual([p().held, w.e.voided], [20n, 0], "a rollback undoes the void and its count");
    w.e.advance(assignBy + ANCHOR_GRACE_S);
    assert.equal(p().held, 10n, "the unanchored one is void: its collateral is free");
    assert.equal(w.e.voided, 1, "and counted");
    assert.equal(w.e.requests.get(b.id), undefined, "and its request gone");
    assert.equal(w.e.settle(b.id), "unknown_request");
    assert.ok(w.e.assignment(a.id), "the anchored one stays until proof or slash");
    assert.equal(w.e.settle(a.id), "settled");
    assert.deepEqual([p().held, w.e.requests.size], [0n, 0]);
  });

  it("a quote whose proving time is not whole seconds is refused as the caller's bug, changing nothing", () => {
    const w = new World();
    const before = [w.e.nextSeq, w.e.digest.l0, w.e.digest.l1];
    for (const provingTime of [100.3, -1, 2 ** 53])
      assert.throws(() => w.quote("p", { provingTime }), RangeError, `provingTime ${provingTime}`);
    assert.deepEqual([w.e.nextSeq, w.e.digest.l0, w.e.digest.l1], before);
  });

  it("a rolled-back quote leaves no expiry behind for the quote that takes its sequence number", () => {
    // A follower rolls back a batch it rejects; the next batch's events take the same sequence
    // numbers. The rejected quote's valid-until must not lapse the quote sequenced in its place:
    // a replica that never saw the rejected batch keeps it, and the two would disagree.
    const follower = new World();
    const replica = new World();
    const later = { id: `0x${"77".repeat(32)}` as Hex32, nonce: 20n, validUntil: T0 + 100 };
    for (const w of [follower, replica]) w.quote("p", { id: `0x${"66".repeat(32)}` as Hex32, nonce: 10n });
    follower.e.begin();
    follower.quote("p", { id: `0x${"88".repeat(32)}` as Hex32, nonce: 20n, validUntil: T0 + 5 });
    follower.e.rollback();
    for (const w of [follower, replica]) {
      w.quote("p", later);
      w.e.advance(T0 + 5);
    }
    assert.deepEqual(
      [follower.e.digest.l0, follower.e.digest.l1],
      [replica.e.digest.l0, replica.e.digest.l1],
    );
    const r = follower.request();
    assert.equal(follower.assignmentOf(r.id)?.quoteId, later.id, "the later quote is still live");
  });

  it("events for an unknown market and duplicate requests are no-ops", () => {
    const w = new World();
    w.quote("p");
    assert.equal(w.request({ marketId: 9 }).outcome, "unknown_market");
    assert.equal(w.quote("q", { marketId: 9 }).outcome, "unknown_market");
    const r = w.request();
    const before = w.made.length;
    assert.equal(w.e.request({ ...w.e.requests.get(r.id)! }), "duplicate");
    assert.equal(w.e.takeAssignments().length + w.made.length, before, "no second assignment");
  });

  it("one market's load does not change another's answers", () => {
    const w = new World();
    w.market({ marketId: 2 });
    w.quote("q", { marketId: 2, price: 7n });
    for (let i = 0; i < 2000; i++) w.request({ maxPrice: 1n });
    const r = w.request({ marketId: 2 });
    assert.equal(w.assignmentOf(r.id)?.price, 7n);
    assert.equal(w.e.markets.get(2)!.book.waitingCount, 0, "market 2 holds none of market 1's requests");
  });
});

import assert from "node:assert/strict";
import fc from "fast-check";
import type { Address, Hex32 } from "../../protocol/bytes.js";
import { MAX_EXACT_PRICE_KEY, OrderBook, quoteTie } from "../../protocol/matching/order-book.js";
import { RequestStore } from "../../protocol/matching/request-store.js";
import { SortedList } from "../../protocol/matching/sorted-list.js";
import { type QuoteEntry, REQUEST_STATUS } from "../../protocol/matching/types.js";

/** A quote entry with only what the book reads. */
function entry(seq: number, price: bigint, provingTime: number): QuoteEntry {
  return { seq, price, priceKey: Number(price), provingTime } as QuoteEntry;
}

const byAll = (a: QuoteEntry, b: QuoteEntry) =>
  a.price !== b.price ? (a.price < b.price ? -1 : 1) : a.provingTime - b.provingTime || a.seq - b.seq;

/**
 * Prices where floats are exact, around 2^53 where they stop being exact (2^53 + 1 rounds to 2^53),
 * around 2^60 (wei prices of about 1 ETH: several prices per float, the tie carries the rest of the
 * price), around 2^72 where the tie stops carrying it (prices just below round up to 2^72), and near
 * the top of uint256 where thousands of prices share one float: the index compares floats first and
 * must still order by the exact price.
 */
const EDGE = BigInt(MAX_EXACT_PRICE_KEY);
const UINT256_MAX = (1n << 256n) - 1n;
const around = (at: bigint, span: bigint) => fc.bigInt({ min: at - span, max: at + span });
const price = (max: bigint) =>
  fc.oneof(
    fc.bigInt({ min: 1n, max }),
    fc.bigInt({ min: EDGE - 4n, max: EDGE + 6n }),
    around(1n << 60n, 600n),
    around(1n << 72n, 1n << 20n),
    fc.bigInt({ min: UINT256_MAX - max, max: UINT256_MAX }),
  );

/** Proving times, with a few from 2^32 - 2 on (an inexact key's tie holds them up to 2^32 - 2). */
const provingTime = (min: number, max: number) =>
  fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min, max }) },
    { weight: 1, arbitrary: fc.constantFrom(2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 7) },
  );

/** Insert (true) or remove (false) the quote of a given seq; small ranges so books get deep and tie. */
const ops = fc.array(
  fc.record({
    insert: fc.boolean(),
    seq: fc.nat(300),
    price: price(30n),
    provingTime: provingTime(1, 20),
  }),
  { minLength: 50, maxLength: 600 },
);

/** The one entry object of `o.seq` for a whole run: a discarded one may come back (its order is fixed). */
function objectFor(
  objects: Map<number, QuoteEntry>,
  o: { seq: number; price: bigint; provingTime: number },
): QuoteEntry {
  let q = objects.get(o.seq);
  if (!q) {
    q = { ...entry(o.seq, o.price, o.provingTime), indexSlot: -1 };
    objects.set(o.seq, q);
  }
  return q;
}

describe("protocol/matching: order book index", () => {
  it("a chunked sorted list stays sorted, sized and bounded under any inserts and removes", () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 2, max: 16 }), (list, chunk) => {
        const sl = new SortedList<QuoteEntry>(
          byAll,
          (q) => q.priceKey,
          (q) => q.provingTime,
          chunk,
          quoteTie,
        );
        const model = new Map<number, QuoteEntry>();
        for (const o of list) {
          const present = model.get(o.seq);
          if (o.insert && !present) {
            const q = entry(o.seq, o.price, o.provingTime);
            sl.insert(q);
            model.set(o.seq, q);
          } else if (!o.insert && present) {
            assert.ok(sl.remove(present), "present entries are removed");
            model.delete(o.seq);
          }
        }
        assert.deepEqual([...sl], [...model.values()].sort(byAll), "in order");
        assert.equal(sl.size, model.size);
        sl.lengths.forEach((_, i) => {
          const c = sl.chunk(i);
          assert.ok(c.length > 0 && c.length <= chunk, `chunk ${i} has ${c.length}`);
          const min = Math.min(...c.map((q) => q.provingTime));
          assert.ok(sl.floors[i]! <= min, `floor ${sl.floors[i]} bounds chunk ${i} (min ${min})`);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("best() is the naive cheapest fitting quote, whatever the chunking", () => {
    const query = fc.record({
      maxPrice: fc.oneof(price(31n), fc.constant(0n)),
      provingTime: provingTime(0, 21),
    });
    fc.assert(
      fc.property(
        ops,
        fc.array(query, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 2, max: 16 }),
        (list, qs, chunk) => {
          const book = new OrderBook(new RequestStore(), chunk);
          const live = new Map<number, QuoteEntry>();
          for (const o of list) {
            const present = live.get(o.seq);
            if (o.insert && !present) {
              const q = entry(o.seq, o.price, o.provingTime);
              book.quotes.insert(q);
              live.set(o.seq, q);
            } else if (!o.insert && present) {
              book.quotes.remove(present);
              live.delete(o.seq);
            }
          }
          // Queries run in sequence: best() may tighten floors, which must never change an answer.
          for (const { maxPrice, provingTime } of qs) {
            const naive = [...live.values()]
              .filter((q) => q.price <= maxPrice && q.provingTime <= provingTime)
              .sort(byAll)[0];
            assert.equal(book.best(maxPrice, provingTime), naive, `best(${maxPrice}, ${provingTime})`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("discard takes entries out in O(1), insert brings them back in place, compaction keeps order", () => {
    // Discards outnumber the live entries often here, so the list compacts many times per run.
    const step = fc.record({
      kind: fc.constantFrom("insert", "discard", "discardAt", "remove"),
      seq: fc.nat(120),
      price: price(30n),
      provingTime: provingTime(1, 20),
    });
    const query = fc.record({ maxPrice: price(31n), provingTime: provingTime(0, 21) });
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 50, maxLength: 600 }),
        fc.integer({ min: 2, max: 16 }),
        fc.array(query, { minLength: 1, maxLength: 10 }),
        (list, chunk, qs) => {
          const book = new OrderBook(new RequestStore(), chunk);
          const sl = book.quotes;
          // One object per seq for the whole run: a discarded one may come back (its order is fixed).
          const objects = new Map<number, QuoteEntry>();
          const live = new Set<QuoteEntry>();
          for (const [i, o] of list.entries()) {
            const q = objectFor(objects, o);
            if (o.kind === "insert" && !live.has(q)) {
              sl.insert(q);
              live.add(q);
            } else if (o.kind === "discard") {
              assert.equal(sl.discard(q), live.delete(q), `discard of seq ${o.seq} at op ${i}`);
            } else if (o.kind === "discardAt") {
              // The engine's way: by the slot it kept since the insert, only for an entry it knows is in.
              if (live.delete(q)) sl.discardAt(q.indexSlot);
            } else if (o.kind === "remove") {
              assert.equal(sl.remove(q), live.delete(q), `remove of seq ${o.seq} at op ${i}`);
            }
            assert.equal(sl.size, live.size, `size at op ${i}`);
            assert.ok(
              sl.discardedSize <= Math.max(sl.size, chunk),
              `discarded ${sl.discardedSize} at op ${i}`,
            );
          }
          assert.deepEqual([...sl], [...live].sort(byAll), "live entries in order");
          assert.equal(sl.first(), [...live].sort(byAll)[0], "first is the smallest live entry");
          sl.lengths.forEach((_, c) => {
            const all = sl.chunk(c);
            assert.ok(all.length > 0 && all.length <= chunk, `chunk ${c} has ${all.length}`);
            const min = Math.min(...all.map((q) => q.provingTime));
            assert.ok(sl.floors[c]! <= min, `floor ${sl.floors[c]} bounds chunk ${c} (min ${min})`);
          });
          for (const { maxPrice, provingTime } of qs) {
            const naive = [...live]
              .filter((q) => q.price <= maxPrice && q.provingTime <= provingTime)
              .sort(byAll)[0];
            assert.equal(book.best(maxPrice, provingTime), naive, `best(${maxPrice}, ${provingTime})`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("entries appended between reads: every search, iteration and chunk head agrees with a sorted model", () => {
    // Inserts append to their chunk and a chunk is sorted when read: here reads come between inserts,
    // discards and re-inserts, so chunks are read half appended, sorted, appended to again, split.
    const step = fc.oneof(
      fc.record({
        kind: fc.constantFrom("insert", "discardAt"),
        seq: fc.nat(150),
        price: price(40n),
        provingTime: provingTime(1, 20),
      }),
      fc.record({
        kind: fc.constant("best"),
        seq: fc.constant(0),
        price: price(41n),
        provingTime: provingTime(0, 21),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 50, maxLength: 500 }),
        fc.integer({ min: 2, max: 12 }),
        (list, chunk) => {
          const book = new OrderBook(new RequestStore(), chunk);
          const sl = book.quotes;
          const objects = new Map<number, QuoteEntry>();
          const live = new Set<QuoteEntry>();
          for (const [i, o] of list.entries()) {
            if (o.kind === "best") {
              const naive = [...live]
                .filter((q) => q.price <= o.price && q.provingTime <= o.provingTime)
                .sort(byAll)[0];
              assert.equal(
                book.best(o.price, o.provingTime),
                naive,
                `best(${o.price}, ${o.provingTime}) at op ${i}`,
              );
              continue;
            }
            const q = objectFor(objects, o);
            if (o.kind === "insert" && !live.has(q)) {
              sl.insert(q);
              live.add(q);
            } else if (o.kind === "discardAt" && live.delete(q)) sl.discardAt(q.indexSlot);
            // Each chunk's first entry is its smallest, sorted or not (the search over chunks reads it),
            // and chunks do not overlap. Read as stored: sl.chunk() would sort what it reads.
            const stored = (c: number) =>
              Array.from({ length: sl.lengths[c]! }, (_, k) => sl.items[sl.slots[c]![k]!]!).sort(byAll);
            for (let c = 1; c < sl.lengths.length; c++) {
              const all = stored(c);
              assert.equal(
                sl.items[sl.slots[c]![0]!],
                all[0],
                `chunk ${c}'s first entry is its smallest at op ${i}`,
              );
              const before = stored(c - 1);
              assert.ok(
                byAll(before[before.length - 1]!, all[0]!) < 0,
                `chunk ${c - 1} sorts before chunk ${c} at op ${i}`,
              );
            }
          }
          assert.deepEqual([...sl], [...live].sort(byAll), "live entries in order");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("compaction after the head of a chunk with appended entries left: the new head is the smallest", () => {
    const book = new OrderBook(new RequestStore(), 4);
    const sl = book.quotes;
    const q = (seq: number, p: number) => ({ ...entry(seq, BigInt(p), 5), indexSlot: -1 });
    const inOrder = [10, 20, 30, 40, 50].map((p, i) => q(i, p));
    for (const x of inOrder) sl.insert(x);
    assert.deepEqual(sl.lengths, [2, 3], "split in two");
    // Appended to the second chunk after its head (30), below the entries stored after it (40, 50).
    sl.insert(q(100, 35));
    // Four discards outnumber the two entries left: a compaction, the second chunk's head among them.
    for (const x of inOrder) if (x.price !== 50n) sl.discard(x);
    assert.equal(sl.discardedSize, 0, "compacted");
    const stored = Array.from({ length: sl.lengths[0]! }, (_, k) => sl.items[sl.slots[0]![k]!]!.price);
    assert.equal(stored[0], 35n, `the head is the smallest of ${stored.join(", ")}`);
    assert.equal(book.best(100n, 10)?.price, 35n, "the cheapest fitting quote");
    sl.insert(q(101, 31));
    assert.deepEqual(
      [...sl].map((e) => e.price),
      [31n, 35n, 50n],
      "an insert after the compaction lands in order",
    );
  });

  it("cancel is O(1): unlinking any waiting request touches only its neighbours", () => {
    const rows = new RequestStore();
    const book = new OrderBook(rows);
    const rs = Array.from({ length: 1000 }, (_, i) =>
      rows.add(
        `0x${i.toString(16).padStart(64, "0")}` as Hex32,
        1,
        `0x${"a".repeat(40)}` as Address,
        5n,
        1000,
        10,
        i,
        i,
        0,
        REQUEST_STATUS.waiting,
      ),
    );
    for (const r of rs) book.append(r);
    const order = [500, 0, 999, 1, 998, 250];
    for (const i of order) book.unlink(rs[i]!);
    const left = [...book.waiting()].map((r) => r.seq);
    assert.equal(left.length, 1000 - order.length);
    assert.deepEqual(
      left,
      [...left].sort((a, b) => a - b),
      "sequence order kept",
    );
    for (const i of order) assert.ok(!left.includes(i), `request ${i} left the list`);
    assert.equal(book.waitingCount, 994);
  });
});

import assert from "node:assert/strict";
import fc from "fast-check";
import { IdTable, tailWord } from "../../protocol/matching/id-table.js";

interface Rec {
  id: string;
  n: number;
}

/**
 * Keys that share their last 64 bits (the words the table hashes and compares first): differing only
 * in case, only in their leading digits, or too short to have 64 bits; and many distinct ones, so
 * that chains form and deletions shift them.
 */
const key = fc.oneof(
  fc.nat(300).map((n) => `0x${n.toString(16).padStart(40, "0")}`),
  fc.nat(300).map((n) => `0x${n.toString(16).padStart(40, "0")}`),
  fc.constantFrom("0xab", "0xAB", "0x", "0x00000000000000000000000000000000000000ab"),
  fc
    .tuple(fc.constantFrom("", "1", "f", "F"), fc.nat(20))
    .map(([lead, n]) => `0x${lead}${n.toString(16).padStart(16, "0")}`),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()).map(([n, upper]) => {
    const s = `0x${"ab".repeat(19)}c${n}`;
    return upper ? s.toUpperCase().replace("0X", "0x") : s;
  }),
  fc
    .array(fc.constantFrom(..."0123456789abcdef"), { minLength: 16, maxLength: 40 })
    .map((h) => `0x${h.join("")}`),
);

describe("protocol/matching: id table", () => {
  it("answers as a Map does under any sets, deletes and lookups, whatever the seed", () => {
    const op = fc.record({ kind: fc.constantFrom("set", "delete", "get"), key, n: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.integer(), (ops, seed) => {
        const table = new IdTable<string, Rec>((r) => r.id, seed);
        const model = new Map<string, Rec>();
        for (const [i, o] of ops.entries()) {
          if (o.kind === "set") {
            const r = { id: o.key, n: o.n };
            table.set(o.key, r);
            model.set(o.key, r);
          } else if (o.kind === "delete") {
            assert.equal(table.delete(o.key), model.delete(o.key), `delete ${o.key} at op ${i}`);
          }
          assert.equal(table.get(o.key), model.get(o.key), `get ${o.key} at op ${i}`);
          assert.equal(table.has(o.key), model.has(o.key), `has ${o.key} at op ${i}`);
          assert.equal(table.size, model.size, `size at op ${i}`);
        }
        // Every key ever seen, present or not, after the deletions have shifted the chains.
        for (const o of ops) assert.equal(table.get(o.key), model.get(o.key), `finally ${o.key}`);
        const sortedKeys = (it: Iterable<string>) => [...it].sort();
        assert.deepEqual(sortedKeys(table.keys()), sortedKeys(model.keys()), "same keys");
        assert.equal([...table.values()].length, model.size, "one value per key");
      }),
      { numRuns: 300 },
    );
  });

  it("finds every key left after each deletion, in a table small enough that chains wrap its end", () => {
    const ids = fc.uniqueArray(fc.nat(10_000), { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(ids, fc.integer(), (ns, seed) => {
        // At most 8 keys: the table keeps its first 16 slots, so chains often run past the last one.
        const table = new IdTable<string, Rec>((r) => r.id, seed);
        const keys = ns.map((n) => `0x${n.toString(16).padStart(40, "0")}`);
        for (const [n, k] of keys.entries()) table.set(k, { id: k, n });
        for (const [d, gone] of keys.entries()) {
          assert.ok(table.delete(gone), `delete ${gone}`);
          for (const k of keys.slice(d + 1)) assert.equal(table.get(k)?.id, k, `${k} after deleting ${gone}`);
        }
        assert.equal(table.size, 0);
      }),
      { numRuns: 1000 },
    );
  });

  it("add inserts only absent keys, in one probe, and agrees with a Map", () => {
    const op = fc.record({ kind: fc.constantFrom("add", "delete"), key, n: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.integer(), (ops, seed) => {
        const table = new IdTable<string, Rec>((r) => r.id, seed);
        const model = new Map<string, Rec>();
        for (const [i, o] of ops.entries()) {
          if (o.kind === "add") {
            const r = { id: o.key, n: o.n };
            const absent = !model.has(o.key);
            assert.equal(table.add(o.key, r), absent, `add ${o.key} at op ${i}`);
            if (absent) model.set(o.key, r);
          } else assert.equal(table.delete(o.key), model.delete(o.key), `delete ${o.key} at op ${i}`);
          assert.equal(table.get(o.key), model.get(o.key), `get ${o.key} at op ${i}`);
          assert.equal(table.size, model.size, `size at op ${i}`);
        }
        for (const o of ops) assert.equal(table.get(o.key), model.get(o.key), `finally ${o.key}`);
      }),
      { numRuns: 300 },
    );
  });

  it("reads words from the end of the id", () => {
    assert.equal(tailWord("0x0000000000000000000000000000000000000001", 1), 1);
    assert.equal(tailWord("0xdeadbeef00000001", 2) >>> 0, 0xdeadbeef);
    assert.equal(tailWord("0xDEADBEEF00000001", 2) >>> 0, 0xdeadbeef, "case does not change the words");
    assert.equal(tailWord("0x1", 2), 0, "a short id reads as zeros");
  });
});

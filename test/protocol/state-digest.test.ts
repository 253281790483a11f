import assert from "node:assert/strict";
import fc from "fast-check";
import { type FactHash, hashFact, nonceWords, StateDigest } from "../../protocol/matching/state-digest.js";

/** The words as bigint arithmetic gives them: what the float path must agree with. */
const exact = (v: bigint): [number, number] => [Number(v & 0xffffffffn), Number(v >> 32n)];

describe("protocol/matching: state digest words", () => {
  it("nonce words on floats equal the bigint words, at the edges of exact floats and of u64", () => {
    const edges = [
      0n,
      1n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 53n + 1n,
      2n ** 64n - 1n,
      -1n,
    ];
    for (const v of edges) assert.deepEqual(nonceWords(v), exact(v), `nonce ${v}`);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (v) => {
        assert.deepEqual(nonceWords(v), exact(v), `nonce ${v}`);
      }),
    );
  });

  it("a stored fact hash adds and removes as toggle does, whatever the order of facts", () => {
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    const fact = fc.record({
      kind: fc.integer({ min: 1, max: 6 }),
      words: fc.array(int32, { minLength: 2, maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.array(fact, { minLength: 1, maxLength: 20 }), (facts) => {
        const toggled = new StateDigest();
        const stored = new StateDigest();
        const hashes: FactHash[] = [];
        for (const { kind, words } of facts) {
          const [a, b, ...rest] = words as [number, number, ...number[]];
          toggled.toggle(1, kind, a, b, ...rest);
          const h: FactHash = { fact0: 0, fact1: 0 };
          hashFact(h, kind, a, b, ...rest);
          stored.add(h);
          hashes.push(h);
          assert.deepEqual(stored.save(), toggled.save(), "adding the stored hash is toggling the fact in");
        }
        // Out in another order than in: the digest is a multiset hash.
        for (let i = 0; i < facts.length; i += 2) {
          const { kind, words } = facts[i]!;
          const [a, b, ...rest] = words as [number, number, ...number[]];
          toggled.toggle(-1, kind, a, b, ...rest);
          stored.remove(hashes[i]!);
        }
        assert.deepEqual(stored.save(), toggled.save(), "removing the stored hash is toggling the fact out");
        // The rest by their lanes, as a prover-market slot removes its quote's fact from its copy.
        for (let i = 1; i < facts.length; i += 2) stored.subtract(hashes[i]!.fact0, hashes[i]!.fact1);
        assert.deepEqual(stored.save(), [0, 0], "every fact out: the empty digest");
      }),
    );
  });

  it("a fact's hash depends on every word and on its kind", () => {
    const base = [1, 2, 3, 4, 5, 6, 7, 8] as const;
    const hash = (kind: number, w: readonly number[]) => {
      const h: FactHash = { fact0: 0, fact1: 0 };
      hashFact(h, kind, w[0]!, w[1]!, w[2], w[3], w[4], w[5], w[6], w[7]);
      return [h.fact0, h.fact1];
    };
    const seen = new Set([String(hash(1, base)), String(hash(2, base))]);
    for (let i = 0; i < base.length; i++) {
      const w = [...base];
      w[i]! ^= 1;
      seen.add(String(hash(1, w)));
    }
    assert.equal(seen.size, 2 + base.length, "kind and each word change the hash");
  });
});

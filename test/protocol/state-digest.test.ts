import assert from "node:assert/strict";
import fc from "fast-check";
import { nonceWords } from "../../protocol/matching/state-digest.js";

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
});

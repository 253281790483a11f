import assert from "node:assert/strict";
import fc from "fast-check";
import { MinHeap } from "../../protocol/matching/min-heap.js";

describe("protocol/matching: min-heap", () => {
  it("pops by time, then sequence, under any pushes and pops, past its first growth", () => {
    // Few distinct times, so that ties on time are common and the sequence decides.
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.record({ push: fc.constant(true), at: fc.integer({ min: 0, max: 6 }) }) },
      { weight: 1, arbitrary: fc.record({ push: fc.constant(false), at: fc.constant(0) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: "max" }), (ops) => {
        const heap = new MinHeap<{ at: number; seq: number }>();
        const model: { at: number; seq: number }[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.push) {
            const e = { at: o.at, seq: seq++ };
            heap.push(e.at, e.seq, e);
            model.push(e);
            model.sort((a, b) => a.at - b.at || a.seq - b.seq);
          } else {
            assert.equal(heap.pop(), model.shift());
          }
          assert.equal(heap.size, model.length);
          if (model.length > 0) {
            assert.deepEqual([heap.peekAt(), heap.peekSeq()], [model[0]!.at, model[0]!.seq]);
            assert.equal(heap.due(model[0]!.at), true);
            assert.equal(heap.due(model[0]!.at - 1), false);
          } else assert.equal(heap.due(Number.MAX_SAFE_INTEGER), false);
        }
        while (model.length > 0) assert.equal(heap.pop(), model.shift(), "drained in order");
        assert.equal(heap.pop(), undefined);
      }),
      { numRuns: 200 },
    );
  });
});

import assert from "node:assert/strict";
import fc from "fast-check";
import { ScratchList } from "../../protocol/matching/scratch-list.js";

describe("protocol/matching: scratch list", () => {
  it("holds exactly what was pushed since the last clear, in order, whatever came before", () => {
    const step = fc.oneof(
      fc.nat(1000).map((n) => ({ push: n })),
      fc.constant({ push: -1 }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const list = new ScratchList<number>();
        let model: number[] = [];
        for (const [i, s] of steps.entries()) {
          if (s.push < 0) {
            list.clear();
            model = [];
          } else {
            list.push(s.push);
            model.push(s.push);
          }
          assert.equal(list.length, model.length, `length at step ${i}`);
        }
        const seen = Array.from({ length: list.length }, (_, i) => list.at(i));
        assert.deepEqual(seen, model, "entries since the last clear");
        list.sort((a, b) => a - b);
        const sorted = Array.from({ length: list.length }, (_, i) => list.at(i));
        assert.deepEqual(
          sorted,
          [...model].sort((a, b) => a - b),
          "sort orders only the live entries",
        );
      }),
      { numRuns: 300 },
    );
  });
});

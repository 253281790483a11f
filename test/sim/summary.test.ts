import assert from "node:assert/strict";
import { percentile, progressLine, summarize } from "../../sim/devnet/summary.js";

describe("sim/devnet summary", () => {
  it("percentiles by nearest rank", () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  });

  it("counts verified and failed requests and computes latency and gas from the traces", () => {
    const s = summarize([
      { requestId: "0x01", publishedAt: 1000, assignedAt: 1100, verifiedAt: 3000, gas: 150_000 },
      { requestId: "0x02", publishedAt: 1000, assignedAt: 1300, verifiedAt: 5000, gas: 170_000 },
      { requestId: "0x03", publishedAt: 2000, failed: "refunded" },
    ]);
    assert.deepEqual(s, {
      requests: 3,
      verified: 2,
      failed: 1,
      assign_p50_ms: 100,
      assign_p95_ms: 300,
      proof_p50_ms: 2000,
      proof_p95_ms: 4000,
      gas_per_request: 160_000,
    });
  });

  it("progress lines name the request, the stage, the prover and the elapsed time", () => {
    const line = progressLine(
      { requestId: `0x${"ab".repeat(32)}`, publishedAt: 0, prover: `0x${"cd".repeat(20)}` },
      "assigned",
      1500,
    );
    assert.equal(line, "0xabab..abab  assigned   prover 0xcdcd..cdcd  1.5 s");
  });
});

/**
 * Money conservation under random call sequences (fast-check): after every step the contract's
 * balance equals free balances + escrow + collateral + treasury, and every party's balances equal
 * a simple model's. KALYPSO_FUZZ_STEPS sets how many steps to run (default 2,000).
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { startDevSystem } from "../../chain/index.js";
import { C, type Step, stepArb } from "./conservation-model.js";
import { Runner } from "./conservation-runner.js";
import type { World } from "./fixture.js";

const STEPS = Number(process.env.KALYPSO_FUZZ_STEPS ?? 2000);
const SEED = Number(process.env.KALYPSO_FUZZ_SEED ?? 20261123);

describe("chain: money conservation under random call sequences", function () {
  this.timeout(Math.max(120_000, STEPS * 200));
  let w: World;
  let runner: Runner;
  before(async () => {
    // A lease that outlives every run: time steps must not fence the leader out.
    w = await startDevSystem({ idleMineIntervalMs: 0 }, { leaseDurationS: 10 * 365 * 24 * 3600 });
    runner = await Runner.create(w);
  });
  after(async () => {
    await w?.chain.stop();
  });

  it(`holds after every one of >= ${STEPS} steps`, async () => {
    let round = 0;
    while (runner.steps.total < STEPS) {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { minLength: 20, maxLength: 80 }), async (steps) => {
          const snap = await w.chain.snapshot();
          try {
            const m = await runner.freshModel();
            // Fund both requesters and provers first, so most runs reach assignment, proofs and slashes.
            const preamble: Step[] = [
              { kind: "deposit", who: 0, amount: 5n * 10n ** 16n },
              { kind: "deposit", who: 1, amount: 5n * 10n ** 16n },
              { kind: "collateral", who: 0, amount: 10n * C },
              { kind: "collateral", who: 1, amount: 10n * C },
            ];
            for (const [i, s] of [...preamble, ...steps].entries()) {
              await runner.apply(m, s);
              await runner.check(m, `step ${i} (${s.kind})`);
            }
          } finally {
            await w.chain.revert(snap);
          }
        }),
        { numRuns: 5, seed: SEED + round++, endOnFailure: true },
      );
    }
    assert.ok(runner.steps.total >= STEPS);
    assert.ok(runner.steps.reverted > 0, "some steps exercised the revert paths");
    for (const kind of [
      "assign",
      "fulfil",
      "slash",
      "cancel",
      "refund",
      "withdraw",
      "withdrawCollateral",
      "treasury",
    ]) {
      assert.ok(
        (runner.steps.succeeded[kind] ?? 0) > 0,
        `no ${kind} succeeded: ${JSON.stringify(runner.steps)}`,
      );
    }
  });
});

import assert from "node:assert/strict";
import { SequencingSchedule } from "../../../node/roles/sequencing-schedule.js";
import { waitFor } from "../../helpers/wait.js";

/** A run the test finishes by hand, counting how many started. */
function gatedRuns() {
  const state = { started: 0, finish: () => {} };
  const run = () => {
    state.started++;
    return new Promise<void>((resolve) => {
      state.finish = resolve;
    });
  };
  return { state, run };
}

describe("node/roles/sequencing-schedule", () => {
  it("an order runs shortly; one arriving during a run asks for exactly one more; runs never overlap", async () => {
    const { state, run } = gatedRuns();
    const s = new SequencingSchedule(run, () => true, { intervalMs: 60_000, delayMs: 1 });
    s.start();
    s.orderArrived();
    await waitFor(() => state.started === 1, "the first run");
    s.orderArrived();
    s.orderArrived();
    assert.equal(state.started, 1, "no second run while the first is under way");
    assert.equal(s.now(), s.running, "now() joins the run under way");
    state.finish();
    await waitFor(() => state.started === 2, "one more run for the orders that came meanwhile");
    state.finish();
    await waitFor(() => s.running === undefined, "the second run done");
    assert.equal(state.started, 2, "two orders during a run made one run, not two");
    s.stop();
  });

  it("not allowed to run: neither orders nor now() start a run; stopped, now() still runs", async () => {
    const { state, run } = gatedRuns();
    let leading = false;
    const s = new SequencingSchedule(run, () => leading, { intervalMs: 60_000, delayMs: 1 });
    s.start();
    s.orderArrived();
    await s.now();
    assert.equal(state.started, 0, "not leading: no run");
    leading = true;
    s.stop();
    const explicit = s.now();
    assert.equal(state.started, 1, "now() still runs when stopped (a paused leader's resume)");
    state.finish();
    await explicit;
  });
});

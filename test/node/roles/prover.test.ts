import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { pino } from "pino";
import type { AssignedRecord } from "../../../chain/marketplace-client.js";
import { encodeInputsPublic } from "../../../node/prover/inputs.js";
import { ProverRoleError } from "../../../node/roles/prover-errors.js";
import { circuitInputsOf, encodeWitness } from "../../../node/roles/prover-inputs.js";
import {
  type JobEvent,
  type JobOutcome,
  ProverJobs,
  type ProverJobsInit,
} from "../../../node/roles/prover-jobs.js";
import { waitFor } from "../../helpers/wait.js";
import { FAKE_MARKET, FakeBackend, FakeClock, fakeRecord } from "./helpers-fake-backend.js";

/** Witness and public inputs of poseidon-preimage-shaped inputs (the fake backend does not hash). */
function inputsFor(n: number) {
  const circuit = { hash: String(1000 + n), preimage: String(n) };
  return { publicInputs: encodeInputsPublic(FAKE_MARKET.inputs, circuit), witness: encodeWitness(circuit) };
}

interface Harness {
  jobs: ProverJobs;
  backend: FakeBackend;
  clock: FakeClock;
  outcomes: JobOutcome[];
  submitted: string[];
  logs: string[];
  /** A record for inputs number `n`, due `deadlineIn` seconds from now (chain time). */
  record(n: number, deadlineIn: number): AssignedRecord;
}

function harness(init: ProverJobsInit, backend = new FakeBackend(), witnessOf = inputsFor): Harness {
  const clock = new FakeClock();
  const outcomes: JobOutcome[] = [];
  const submitted: string[] = [];
  const logs: string[] = [];
  const logger = pino(
    { level: "info" },
    new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  );
  const byId = new Map<string, number>();
  const jobs = new ProverJobs(
    {
      now: clock.now,
      markets: new Map([[1, { description: FAKE_MARKET, backend }]]),
      loadInputs: async (r) => witnessOf(byId.get(r.requestId)!),
      submit: async (r) => {
        submitted.push(r.requestId);
        return `0xtx${submitted.length}`;
      },
      logger,
    },
    { backoffMs: 5, submitMarginS: 5, ...init },
  );
  for (const kind of ["proven", "skipped", "failed"])
    jobs.addEventListener(kind, (e) => outcomes.push((e as JobEvent).outcome));
  const record = (n: number, deadlineIn: number) => {
    const r = fakeRecord(n, inputsFor(n).publicInputs, clock.nowS + deadlineIn);
    byId.set(r.requestId, n);
    return r;
  };
  return { jobs, backend, clock, outcomes, submitted, logs, record };
}

describe("node/roles/prover rules (fake backend, fake chain clock)", () => {
  it("skips an assignment it cannot finish before its deadline, without starting the backend", async () => {
    const h = harness({});
    // expected 1 s + 5 s margin > 4 s left
    h.jobs.add(h.record(1, 4));
    const [o] = await waitFor(() => h.outcomes.length > 0 && h.outcomes, "an outcome");
    assert.equal(o!.kind, "skipped");
    assert.equal((o as { error: ProverRoleError }).error.code, "ASSIGNMENT_TOO_LATE");
    assert.equal(h.backend.calls, 0, "the backend never ran");
    assert.ok(
      h.logs.some((l) => l.includes("assignment skipped: too late")),
      "the skip is logged",
    );
  });

  it("never has more than `capacity` proofs in flight, takes the earliest deadline next, and skips queued work that ran out of time", async () => {
    const backend = new FakeBackend(false);
    const h = harness({ capacity: 2 }, backend);
    const running = () => backend.inFlight.map((p) => p.inputs.preimage).sort();
    h.jobs.add(h.record(1, 600));
    h.jobs.add(h.record(2, 600));
    await waitFor(() => backend.inFlight.length === 2, "two proofs in flight");
    // The slots are full: these wait, most urgent first (5, then 4, then 3).
    h.jobs.add(h.record(3, 900));
    h.jobs.add(h.record(4, 300));
    h.jobs.add(h.record(5, 30));
    assert.equal(h.jobs.inFlight, 2, "capacity 2 holds while work waits");
    backend.inFlight.find((p) => p.inputs.preimage === "1")!.finish();
    await waitFor(
      () => h.outcomes.length === 1 && backend.inFlight.length === 2,
      "the freed slot to be taken",
    );
    assert.deepEqual(running(), ["2", "5"], "the earliest deadline took the free slot");
    // Chain time passes while both slots are busy: 4 (due at +300) can no longer be finished.
    h.clock.advance(500);
    backend.inFlight.find((p) => p.inputs.preimage === "5")!.finish();
    await waitFor(() => h.outcomes.length === 3 && backend.inFlight.length === 2, "4 skipped, 3 started");
    assert.deepEqual(running(), ["2", "3"]);
    for (const p of [...backend.inFlight]) p.finish();
    await waitFor(() => h.outcomes.length === 5, "every assignment to have an outcome");
    assert.equal(h.jobs.maxInFlight, 2, "capacity 2 was used and never exceeded");
    const kinds = Object.fromEntries(h.outcomes.map((o) => [Number(BigInt(o.requestId)), o.kind]));
    assert.deepEqual(kinds, { 1: "proven", 2: "proven", 3: "proven", 4: "skipped", 5: "proven" });
    assert.equal(backend.calls, 4, "skipped work never reached the backend");
  });

  it("retries transient backend failures with backoff and gives up on permanent ones at once", async () => {
    const cases = [
      { script: ["PROVER_CRASHED", "PROVER_TIMEOUT"], kind: "proven", calls: 3, code: undefined },
      {
        script: ["PROVER_CRASHED", "PROVER_CRASHED", "PROVER_CRASHED"],
        kind: "failed",
        calls: 3,
        code: "ASSIGNMENT_GAVE_UP",
      },
      { script: ["PROVER_BAD_INPUT"], kind: "failed", calls: 1, code: "ASSIGNMENT_GAVE_UP" },
    ] as const;
    for (const c of cases) {
      const h = harness({ attempts: 3 });
      h.backend.failWith = [...c.script];
      h.jobs.add(h.record(1, 600));
      const [o] = await waitFor(() => h.outcomes.length > 0 && h.outcomes, `outcome for ${c.script}`);
      assert.equal(o!.kind, c.kind, `${c.script}: outcome`);
      assert.equal(h.backend.calls, c.calls, `${c.script}: backend calls`);
      if (o!.kind === "failed") {
        assert.equal(o.error.code, c.code, `${c.script}: error code`);
        assert.ok(
          h.logs.some((l) => l.includes('"code":"ASSIGNMENT_GAVE_UP"')),
          `${c.script}: failure logged with its code`,
        );
      } else {
        assert.equal(h.submitted.length, 1, `${c.script}: submitted once`);
      }
    }
  });

  it("refuses a witness whose public signals differ from the committed public inputs", async () => {
    const h = harness({}, new FakeBackend(), (n) => ({
      publicInputs: inputsFor(n).publicInputs,
      witness: encodeWitness({ hash: "5", preimage: String(n) }),
    }));
    h.jobs.add(h.record(1, 600));
    const [o] = await waitFor(() => h.outcomes.length > 0 && h.outcomes, "an outcome");
    assert.equal(o!.kind, "failed");
    assert.equal((o as { error: ProverRoleError }).error.code, "ASSIGNMENT_INPUTS_MISMATCH");
    assert.equal(h.backend.calls, 0);
  });

  it("a failed try does not block the same assignment when it comes again (its anchor after a soft-confirmed try)", async () => {
    // A soft-confirmed try can fail before the anchor (its inputs not fetched yet, say); the anchor
    // then brings the assignment again and it must be tried again, not taken for work already done.
    let tries = 0;
    const h = harness({}, new FakeBackend(), (n) => {
      if (++tries === 1) throw new ProverRoleError("ASSIGNMENT_INPUTS_UNAVAILABLE", "not fetched yet");
      return inputsFor(n);
    });
    const record = h.record(1, 600);
    h.jobs.add(record);
    await waitFor(() => h.outcomes.length === 1, "the first try to fail");
    assert.equal(h.outcomes[0]!.kind, "failed");
    h.jobs.add(record);
    await waitFor(() => h.outcomes.length === 2, "the second try's outcome");
    assert.equal(h.outcomes[1]!.kind, "proven");
    assert.deepEqual(h.submitted, [record.requestId], "proven and submitted once");
  });

  it("the assignment coming again while its try runs is tried once that try fails, and not if it is proven", async () => {
    // The anchor arrives while the soft-confirmed try still fetches its inputs; that try then fails.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let tries = 0;
    const h = harness({}, new FakeBackend(), (n) => {
      if (++tries > 1) return inputsFor(n);
      return gate.then(() => {
        throw new ProverRoleError("ASSIGNMENT_INPUTS_UNAVAILABLE", "not fetched yet");
      }) as never;
    });
    const record = h.record(1, 600);
    h.jobs.add(record);
    await waitFor(() => tries === 1, "the first try to start");
    h.jobs.add(record);
    release();
    await waitFor(() => h.outcomes.length === 2, "the failed try and the second one's outcome");
    assert.deepEqual(
      h.outcomes.map((o) => [o.kind, "again" in o ? o.again : undefined]),
      [
        ["failed", true],
        ["proven", undefined],
      ],
    );
    assert.deepEqual(h.submitted, [record.requestId], "proven and submitted once");
    h.jobs.add(record);
    await h.jobs.idle();
    assert.equal(h.outcomes.length, 2, "a proven assignment that comes again is not tried again");
  });

  it("a try skipped as too late (its provisional deadline) leaves room for the same assignment with a later one", async () => {
    const h = harness({});
    const soft = h.record(1, 4);
    h.jobs.add(soft);
    await waitFor(() => h.outcomes.length === 1, "the skip");
    h.jobs.add({ ...soft, deadline: soft.deadline + 600 });
    await waitFor(() => h.outcomes.length === 2, "the anchored one's outcome");
    assert.deepEqual(
      h.outcomes.map((o) => o.kind),
      ["skipped", "proven"],
    );
  });

  it("circuitInputsOf: the demo convention (witness JSON of all signals, or all-public inputs decoded)", () => {
    const { publicInputs, witness } = inputsFor(3);
    assert.deepEqual(circuitInputsOf(FAKE_MARKET.inputs, publicInputs, witness), {
      hash: "1003",
      preimage: "3",
    });
    const allPublic = [
      { name: "root", public: true },
      { name: "leaf", public: true },
    ];
    const both = encodeInputsPublic(allPublic, { root: "9", leaf: "4" });
    assert.deepEqual(circuitInputsOf(allPublic, both, undefined), { root: "9", leaf: "4" });
    const cases: [string, () => unknown][] = [
      ["no witness for a private market", () => circuitInputsOf(FAKE_MARKET.inputs, publicInputs, undefined)],
      ["witness not JSON", () => circuitInputsOf(FAKE_MARKET.inputs, publicInputs, Uint8Array.of(0xff))],
      [
        "witness missing a signal",
        () => circuitInputsOf(FAKE_MARKET.inputs, publicInputs, encodeWitness({ hash: "1003" })),
      ],
    ];
    for (const [what, f] of cases) {
      assert.throws(
        f,
        (e: unknown) => e instanceof ProverRoleError && e.code === "ASSIGNMENT_INPUTS_MISMATCH",
        what,
      );
    }
  });
});

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeProcessPids } from "../../sim/process/node-child.js";
import type { SimReport } from "../../sim/report.js";
import { runSim } from "../../sim/sim.js";

/** Run a scenario small and read its outcome back from the report.json it wrote. */
async function run(
  dir: string,
  scenario: string,
  nodes: number,
  requests: number,
  processes = false,
  shards?: number,
): Promise<SimReport> {
  const out = join(dir, `${scenario}${processes ? "-processes" : ""}${shards ? `-shards${shards}` : ""}`);
  await runSim({ scenario, nodes, requests, out, processes, shards });
  assert.ok((await stat(join(out, "report.html"))).size > 1000, "report.html written");
  return JSON.parse(await readFile(join(out, "report.json"), "utf8")) as SimReport;
}

/** Twice a prover left and one joined; joiners took work; what the leavers held was slashed and refunded. */
function assertChurned(r: SimReport, requests: number): void {
  assertSafe(r);
  const c = r.churn!;
  assert.equal(c.left.length, 2, "two provers left");
  assert.equal(c.joined.length, 2, "two provers joined");
  assert.ok(c.settled_by_joiners > 0, "joiners settled requests");
  assert.equal(r.requests.settled + r.requests.slashed, requests, "every request proven or slashed");
  assert.equal(r.requests.refunded, r.requests.slashed, "each slashed request refunded");
  assert.equal(BigInt(r.money.escrow_wei), 0n, "no escrow left behind");
}

/** What every scenario must hold: nothing lost, nothing assigned twice, every wei accounted for. */
function assertSafe(r: SimReport): void {
  assert.equal(r.requests.lost, 0, "no request lost");
  assert.equal(r.requests.assigned_twice, 0, "no request assigned twice (RequestAssigned logs)");
  assert.equal(r.money.conserved, true, `money conserved: ${JSON.stringify(r.money)}`);
  assert.equal(r.money.marketplace_balance_wei, r.money.entered_wei, "balance = what entered");
}

describe("sim scenarios (in-process, anvil, libp2p, SimBackend)", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kalypso-sim-test-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("steady: requests over 2 markets and several provers all settle", async () => {
    const r = await run(dir, "steady", 7, 6);
    assertSafe(r);
    assert.equal(r.scenario, "steady");
    assert.deepEqual(
      [r.requests.submitted, r.requests.assigned, r.requests.settled, r.requests.slashed],
      [6, 6, 6, 0],
      "submitted, assigned, settled, slashed",
    );
  });

  it("prover-offline: the silent prover is slashed after its deadline, its requesters refunded", async () => {
    const r = await run(dir, "prover-offline", 6, 4);
    assertSafe(r);
    assert.ok(r.requests.slashed >= 1, `slashed ${r.requests.slashed}`);
    assert.equal(r.requests.settled + r.requests.slashed, 4, "every request proven or slashed");
    assert.equal(r.requests.refunded, r.requests.slashed, "each slashed request refunded");
    assert.equal(BigInt(r.money.escrow_wei), 0n, "no escrow left behind");
  });

  it("leader-crash: a new leader takes over, no request lost or assigned twice", async () => {
    const r = await run(dir, "leader-crash", 7, 4);
    assertSafe(r);
    assert.equal(r.requests.settled, 4, "every request settled across the failover");
    assert.equal(typeof r.failover_ms, "number", "failover_ms measured");
    const leaders = new Set(r.series.roles.filter((x) => x.role === "leader").map((x) => x.matcher));
    assert.ok(leaders.size >= 2, `two leaders over the run: ${[...leaders].join(", ")}`);
  });

  it("spam: attackers are graylisted, honest requests still settle", async () => {
    const r = await run(dir, "spam", 8, 4);
    assertSafe(r);
    assert.equal(r.requests.settled, 4, "honest requests settled");
    assert.equal(r.attackers?.length, 2, "two attackers");
    assert.deepEqual(
      [...(r.graylisted ?? [])].sort(),
      [...(r.attackers ?? [])].sort(),
      "every attacker graylisted",
    );
  });

  it("partition: the cut-off group falls behind, catches up after the heal, nothing is lost", async () => {
    const r = await run(dir, "partition", 8, 9);
    assertSafe(r);
    // A cut-off prover the leader still assigns work to hears the request only from the log after the
    // heal: proven if it is in time, else slashed and refunded.
    assert.equal(r.requests.settled + r.requests.slashed, 9, "every request proven or slashed");
    assert.equal(r.requests.refunded, r.requests.slashed, "each slashed request refunded");
    const p = r.partition!;
    assert.ok(p.group.includes("matcher-1") || p.group.includes("matcher-0"), "a matcher was cut off");
    assert.ok(
      p.log_seq_at_heal.group < p.log_seq_at_heal.leader,
      `cut off: ${JSON.stringify(p.log_seq_at_heal)}`,
    );
    assert.equal(p.reconnected, true, "every cut-off node reconnected to the other side");
    assert.equal(new Set(Object.values(p.log_tips)).size, 1, `one log tip: ${JSON.stringify(p.log_tips)}`);
    assert.equal(Object.keys(p.log_tips).length, 8, "on every node");
  });

  it("churn: crashed provers' work is slashed and refunded, joining provers take over", async () => {
    assertChurned(await run(dir, "churn", 8, 12), 12);
  });

  it("--processes with --shards, or a shard count that is not a positive integer, is refused", async () => {
    for (const o of [{ processes: true, shards: 2 }, { shards: 0 }, { shards: 1.5 }])
      await assert.rejects(
        runSim({ scenario: "steady", nodes: 7, requests: 1, out: dir, ...o }),
        { code: "SIM_BAD_OPTIONS" },
        JSON.stringify(o),
      );
  });

  it("an unknown scenario is refused with a coded error", async () => {
    await assert.rejects(runSim({ scenario: "nope", nodes: 7, requests: 1, out: dir }), {
      code: "SIM_UNKNOWN_SCENARIO",
    });
  });
});

/** Whether a process with this pid exists (signal 0 only checks). */
/** Run `sim`, noting every node process seen while it runs: each must be gone once it returns. */
async function seeingProcesses(sim: () => Promise<SimReport>): Promise<{ r: SimReport; seen: Set<number> }> {
  const seen = new Set<number>();
  const watch = setInterval(() => {
    for (const pid of nodeProcessPids()) seen.add(pid);
  }, 50);
  try {
    return { r: await sim(), seen };
  } finally {
    clearInterval(watch);
  }
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

describe("sim scenarios (--processes: bootstrap, matchers, provers each in a node process)", function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kalypso-sim-test-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("steady: every request settles, and no node process outlives the run", async () => {
    const { r, seen } = await seeingProcesses(() => run(dir, "steady", 7, 6, true));
    assertSafe(r);
    assert.equal(r.mode, "processes");
    assert.deepEqual(
      [r.requests.submitted, r.requests.assigned, r.requests.settled, r.requests.slashed],
      [6, 6, 6, 0],
      "submitted, assigned, settled, slashed",
    );
    assert.ok(r.latency_ms.assign_p50 !== null, "held times came back from the prover processes");
    // bootstrap + 2 matchers + 2 provers run as processes; the requesters stay in this one.
    assert.equal(seen.size, 5, `node processes seen: ${[...seen].join(", ")}`);
    assert.deepEqual(nodeProcessPids(), [], "no node process left on the books");
    assert.deepEqual([...seen].filter(exists), [], "every node process is gone");
  });

  it("leader-crash: the leader's process exits, a new leader takes over, nothing lost", async () => {
    const r = await run(dir, "leader-crash", 7, 4, true);
    assertSafe(r);
    assert.equal(r.mode, "processes");
    assert.equal(r.requests.settled, 4, "every request settled across the failover");
    assert.equal(typeof r.failover_ms, "number", "failover_ms measured");
    const leaders = new Set(r.series.roles.filter((x) => x.role === "leader").map((x) => x.matcher));
    assert.ok(leaders.size >= 2, `two leaders over the run: ${[...leaders].join(", ")}`);
    assert.deepEqual(nodeProcessPids(), [], "no node process left");
  });
});

describe("sim scenarios (--shards: provers dealt over node processes, bootstrap and matchers in one more)", function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kalypso-sim-test-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("churn over 2 shards: crashed provers stop inside their shard, joiners land in one, no process outlives the run", async () => {
    const { r, seen } = await seeingProcesses(() => run(dir, "churn", 8, 12, false, 2));
    assertChurned(r, 12);
    assert.equal(r.mode, "shards");
    // Every node but the requesters ran in three processes (hub, two shards); a crash inside ended none.
    assert.equal(seen.size, 3, `node processes seen: ${[...seen].join(", ")}`);
    assert.deepEqual(nodeProcessPids(), [], "no node process left on the books");
    assert.deepEqual([...seen].filter(exists), [], "every node process is gone");
  });
});

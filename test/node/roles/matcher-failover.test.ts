import assert from "node:assert/strict";
import { COLLATERAL } from "../../../chain/index.js";
import type { Address, Hex32 } from "../../../protocol/index.js";
import { waitFor } from "../../helpers/wait.js";
import { assignedOnChain, MatcherCluster } from "./matcher-helpers.js";

const LEASE_S = 10;

describe("node/roles/matcher: failover and fencing (anvil, libp2p, LevelDB)", function () {
  this.timeout(60_000);
  let cluster: MatcherCluster | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("3 matchers, the leader stops: a new leader claims after expiry, continues the log, every request is assigned exactly once", async () => {
    cluster = await MatcherCluster.start({ matchers: 3, leaseDurationS: LEASE_S });
    const c = cluster;
    const [old, ...rest] = c.matchers;
    await waitFor(() => old!.role.role === "leader", "the dev leader to lead");
    await c.submitQuote();
    const ids: Hex32[] = [await c.submitRequest(), await c.submitRequest()];
    await waitFor(async () => (await c.status(ids[1]!)) === "assigned", "the first requests anchored");
    // Sent right before the leader dies: sequenced or not, none may be lost.
    ids.push(await c.submitRequest(), await c.submitRequest());
    await old!.stop();
    await c.nodes[0]!.stop();
    ids.push(await c.submitRequest());
    const seqBefore = Math.max(...rest.map((m) => m.log.state.head.seq));
    const firstBatchBlock: number[] = [];
    for (const m of rest) {
      m.on("batch", (b) => {
        if (b.role !== "leader" || firstBatchBlock.length > 0) return;
        firstBatchBlock.push(-1);
        void c.sys.chain.provider.getBlockNumber().then((n) => {
          firstBatchBlock[0] = n;
        });
      });
    }
    await c.sys.chain.increaseTime(LEASE_S + 1);
    const expiryBlock = await c.sys.chain.provider.getBlockNumber();
    const next = await waitFor(() => rest.find((m) => m.role.role === "leader"), "a new leader");
    await waitFor(() => (firstBatchBlock[0] ?? -1) >= 0, "the new leader's first batch");
    // The bound: sequencing again within the lease + 2 blocks (its claim, at most one more).
    assert.ok(
      firstBatchBlock[0]! <= expiryBlock + 2,
      `first batch at block ${firstBatchBlock[0]}, expiry ${expiryBlock}`,
    );
    assert.ok(next.role.term >= 2, `new term ${next.role.term}`);
    ids.push(await c.submitRequest(), await c.submitRequest());
    await waitFor(async () => {
      for (const id of ids) if ((await c.status(id)) !== "assigned") return false;
      return true;
    }, "every request assigned on-chain");
    const counts = await assignedOnChain(c.sys);
    for (const id of ids) assert.equal(counts.get(id), 1, `request ${id} assigned exactly once`);
    assert.ok(next.log.state.head.seq > seqBefore, "the new leader continued the log");
    assert.equal(next.log.state.head.term, next.role.term, "under its own term");
    const follower = rest.find((m) => m !== next)!;
    await waitFor(() => follower.log.state.head.seq >= next.log.state.head.seq, "the follower to catch up");
  });

  it("a paused old leader's later batch is rejected by followers (stale term) and its anchoring reverts on-chain", async () => {
    cluster = await MatcherCluster.start({ matchers: 3, leaseDurationS: LEASE_S });
    const c = cluster;
    const [old, ...rest] = c.matchers;
    await waitFor(() => old!.role.role === "leader", "the dev leader to lead");
    await c.submitQuote();
    const first = await c.submitRequest();
    await waitFor(async () => (await c.status(first)) === "assigned", "the first request anchored");
    await old!.pause();
    await c.sys.chain.increaseTime(LEASE_S + 1);
    const next = await waitFor(() => rest.find((m) => m.role.role === "leader"), "a new leader");
    const late = await c.submitRequest();
    await waitFor(
      async () => (await c.status(late)) === "assigned",
      "the new leader anchors the late request",
    );
    const follower = rest.find((m) => m !== next)!;
    const rejected: { code: string; term: number }[] = [];
    follower.on("rejected", (r) => rejected.push(r));
    const failed: string[] = [];
    old!.on("anchorFailed", (f) => failed.push(f.code));
    const oldBatches: number[] = [];
    old!.on("batch", (b) => b.role === "leader" && oldBatches.push(b.term));
    await old!.resume();
    assert.deepEqual(oldBatches, [1], "the old leader sequenced a batch under its stale term");
    await waitFor(() => rejected.find((r) => r.term === 1), "the follower to reject the stale batch");
    assert.equal(rejected[0]!.code, "LOG_STALE_TERM");
    await waitFor(() => failed.length > 0, "the stale anchoring to fail");
    assert.equal(failed[0], "STALE_TERM", "the contract fences the old term");
    await waitFor(() => old!.role.role === "follower", "the old leader to step down");
    assert.equal((await assignedOnChain(c.sys)).get(late), 1, "assigned once, by the new leader");
  });

  it("a new leader anchors the assignments of the log it continues that the old leader did not", async () => {
    cluster = await MatcherCluster.start({ matchers: 2, leaseDurationS: LEASE_S });
    const c = cluster;
    const [old, next] = c.matchers;
    await waitFor(() => old!.role.role === "leader", "the dev leader to lead");
    const dropped: string[] = [];
    old!.on("anchorDropped", (d) => dropped.push(d.code));
    await c.submitQuote();
    // requester2 has no deposit: the batch assigns its request, the anchoring dry run refuses it.
    const id = await c.submitRequest("requester2");
    await waitFor(() => next!.log.unanchored.has(id), "the follower to hold the unanchored assignment");
    await waitFor(() => dropped.length > 0, "the old leader to give up anchoring it");
    assert.deepEqual(dropped, ["INSUFFICIENT_BALANCE"]);
    assert.equal(await c.status(id), "none");
    await (await c.sys.market("requester2")).deposit(10n ** 18n);
    await old!.stop();
    await c.sys.chain.increaseTime(LEASE_S + 1);
    await waitFor(async () => (await c.status(id)) === "assigned", "the new leader to anchor it");
    assert.equal(next!.role.role, "leader");
    assert.equal((await assignedOnChain(c.sys)).get(id), 1, "assigned once");
  });

  it("a restarted matcher reads again the chain facts it had pooled but not sequenced, and sequences them when it leads", async () => {
    cluster = await MatcherCluster.start({ matchers: 2, leaseDurationS: LEASE_S });
    const c = cluster;
    const [old] = c.matchers;
    await waitFor(() => old!.role.role === "leader", "the dev leader to lead");
    await waitFor(() => c.matchers[1]!.log.state.head.seq >= 1, "the first chain facts applied");
    await old!.pause();
    const amount = COLLATERAL * 3n;
    await (await c.sys.market("prover2")).depositCollateral(amount);
    const prover2 = c.sys.addr.prover2.toLowerCase();
    const pooled = () =>
      [...c.matchers[1]!.log.pending.values()].some((e) => e.kind === "collateral" && e.prover === prover2);
    await waitFor(pooled, "the follower to pool the deposit");
    const back = await c.restart(1);
    await waitFor(pooled, "the restarted follower to read the deposit again");
    await old!.stop();
    await c.sys.chain.increaseTime(LEASE_S + 1);
    await waitFor(() => back.role.role === "leader", "the restarted matcher to lead");
    await waitFor(
      () => back.log.state.engine.provers.get(prover2 as Address)?.total === amount,
      "the deposit in the log",
    );
  });
});

import assert from "node:assert/strict";
import { ChainError, type MarketplaceClient } from "../../../chain/index.js";
import { LOG_TOPIC, marketTopic } from "../../../node/network/topics.js";
import { REQUEST_STATUS, requestId, signCancel, stateDigest } from "../../../protocol/index.js";
import { waitFor } from "../../helpers/wait.js";
import { MatcherCluster } from "./matcher-helpers.js";

describe("node/roles/matcher: one leader (anvil, libp2p, LevelDB)", function () {
  this.timeout(60_000);
  let cluster: MatcherCluster | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("sequences gossiped requests and quotes; followers apply with equal digests; assignments are anchored", async () => {
    cluster = await MatcherCluster.start({ matchers: 3 });
    const [leader, ...followers] = cluster.matchers;
    await waitFor(() => leader!.role.role === "leader", "the dev leader to lead");
    const anchored: string[] = [];
    leader!.on("anchored", (a) => anchored.push(...a.requestIds));
    await cluster.submitQuote();
    const ids = [await cluster.submitRequest(), await cluster.submitRequest(), await cluster.submitRequest()];
    await waitFor(() => ids.every((id) => anchored.includes(id)), "the leader to anchor every request");
    for (const id of ids)
      assert.equal(await cluster.status(id), "assigned", `request ${id} assigned on-chain`);
    const head = leader!.log.state.head;
    await waitFor(
      () => followers.every((f) => f.log.state.head.seq >= head.seq),
      "followers to apply every batch",
    );
    for (const f of followers) {
      assert.equal(stateDigest(f.log.state), stateDigest(leader!.log.state), `follower ${f.address} digest`);
      assert.equal(f.role.role, "follower");
    }
  });

  it("a failed anchoring round is tried again, with no new batch to wake it", async () => {
    // No interval sequencing: a batch comes only 10 ms after an order, so nothing else wakes anchoring.
    cluster = await MatcherCluster.start({ matchers: 1, init: { batchIntervalMs: 3_600_000 } });
    const [leader] = cluster.matchers;
    await waitFor(() => leader!.role.role === "leader", "the dev leader to lead");
    // The chain's RPC fails the first anchoring transaction only.
    const marketplace = (leader as unknown as { c: { marketplace: MarketplaceClient } }).c.marketplace;
    const assign = marketplace.assign.bind(marketplace);
    let calls = 0;
    marketplace.assign = (batch, o) =>
      ++calls === 1
        ? Promise.reject(new ChainError("RPC_ERROR", "test: the node is down"))
        : assign(batch, o);
    const failed: string[] = [];
    const anchored: string[] = [];
    leader!.on("anchorFailed", (f) => failed.push(f.code));
    leader!.on("anchored", (a) => anchored.push(...a.requestIds));
    await cluster.submitQuote();
    const id = await cluster.submitRequest();
    await waitFor(() => failed.length > 0, "the first round to fail");
    const seq = leader!.log.state.head.seq;
    await waitFor(() => anchored.includes(id), "the request anchored after the failed round");
    assert.deepEqual(failed, ["RPC_ERROR"], "one round failed");
    assert.equal(leader!.log.state.head.seq, seq, "no batch came between the failure and the retry");
    assert.equal(await cluster.status(id), "assigned");
  });

  it("a restarted follower recovers its log from LevelDB and catches up on what it missed", async () => {
    cluster = await MatcherCluster.start({ matchers: 2 });
    const c = cluster;
    const [leader] = c.matchers;
    await waitFor(() => leader!.role.role === "leader", "the dev leader to lead");
    await c.submitQuote();
    const first = await c.submitRequest();
    await waitFor(async () => (await c.status(first)) === "assigned", "the first request anchored");
    await waitFor(
      () => c.matchers[1]!.log.state.head.seq === leader!.log.state.head.seq,
      "the follower in step",
    );
    await c.nodes[1]!.flushed();
    const heldSeq = c.matchers[1]!.log.state.head.seq;
    await c.matchers[1]!.stop();
    await c.nodes[1]!.stop();
    const missed = await c.submitRequest();
    await waitFor(async () => (await c.status(missed)) === "assigned", "a request anchored while it is down");
    const back = await c.restart(1);
    assert.ok(
      back.log.state.head.seq >= heldSeq,
      `replayed ${back.log.state.head.seq} of ${heldSeq} from its store`,
    );
    await waitFor(() => c.nodes[1]!.gossip.peers(LOG_TOPIC).length > 0, "the restarted node on gossip");
    await c.submitRequest();
    await waitFor(
      () => back.log.state.head.seq === leader!.log.state.head.seq,
      "the restarted follower to catch up",
    );
    assert.equal(
      stateDigest(back.log.state),
      stateDigest(leader!.log.state),
      "equal digests after the restart",
    );
  });

  it("sequences a gossiped cancel: the waiting request is cancelled in every replica", async () => {
    cluster = await MatcherCluster.start({ matchers: 2 });
    const c = cluster;
    const [leader, follower] = c.matchers;
    await waitFor(() => leader!.role.role === "leader", "the dev leader to lead");
    await c.submitQuote();
    // 1 wei is below every quote: the request waits, so it may still be cancelled.
    const request = await c.sys.request({ maxPrice: 1n });
    await c.client.publish({ type: "request", body: c.sys.signedRequest(request) });
    const id = requestId(c.sys.d.marketDomain, request);
    await waitFor(() => follower!.log.state.engine.requests.get(id), "the request sequenced and applied");
    const cancel = { requestId: id, requester: request.requester };
    await c.client.gossip.publish(marketTopic(c.sys.marketId, "requests"), {
      type: "cancel",
      body: signCancel(c.sys.d.marketDomain, cancel, c.sys.keys.requester),
    });
    for (const m of [leader!, follower!]) {
      await waitFor(
        () => m.log.state.engine.requests.get(id)?.status === REQUEST_STATUS.cancelled,
        `the cancel applied by ${m.address}`,
      );
    }
    assert.equal(stateDigest(follower!.log.state), stateDigest(leader!.log.state));
  });
});

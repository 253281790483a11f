import assert from "node:assert/strict";
import { ZERO_HASH } from "../../../protocol/index.js";
import { waitFor } from "../../helpers/wait.js";
import { craftBatch, MatcherCluster } from "./matcher-helpers.js";

describe("node/roles/matcher: auditing the leader (anvil, libp2p, LevelDB)", function () {
  this.timeout(60_000);
  let cluster: MatcherCluster | undefined;

  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("an equivocating leader is detected by a follower and slashed once on-chain", async () => {
    cluster = await MatcherCluster.start({ matchers: 2 });
    const c = cluster;
    const [leader, follower] = c.matchers;
    await waitFor(() => leader!.role.role === "leader", "the dev leader to lead");
    const reports: (string | undefined)[] = [];
    follower!.on("equivocation", (e) => reports.push(e.tx));
    const time = await c.sys.chain.now();
    const header = { term: 1, seq: 500, prevHash: ZERO_HASH, time };
    const a = craftBatch(c.sys, c.sys.keys.leader, { ...header, stateDigest: `0x${"11".repeat(32)}` });
    const b = craftBatch(c.sys, c.sys.keys.leader, { ...header, stateDigest: `0x${"22".repeat(32)}` });
    await c.client.publish({ type: "batch", body: a });
    await c.client.publish({ type: "batch", body: b });
    await waitFor(() => reports.length > 0, "the follower to report the equivocation");
    assert.ok(reports[0], "the report was mined");
    const m = await c.sys.d.registry.matcher(c.sys.addr.leader);
    assert.equal(m.slashed, true, "the leader is slashed");
    assert.equal(m.bond, 0n);
    // Sent again: the follower does not report twice, and the contract would refuse anyway.
    await c.client.publish({ type: "batch", body: { ...b, events: [] } }).catch(() => undefined);
    await follower!.idle();
    assert.equal(reports.length, 1, "reported once");
  });

  it("a follower raises an alarm on a batch whose assignments break the matching rule", async () => {
    cluster = await MatcherCluster.start({ matchers: 2 });
    const c = cluster;
    const [leader, follower] = c.matchers;
    await waitFor(() => leader!.role.role === "leader", "the dev leader to lead");
    await waitFor(() => follower!.log.state.head.seq >= 1, "the chain facts sequenced and applied");
    await leader!.stop();
    const alarms: { code: string }[] = [];
    follower!.on("alarm", (a) => alarms.push(a));
    const head = follower!.log.state.head;
    const quote = await c.sys.quote();
    const request = c.sys.signedRequest(await c.sys.request());
    // The rule assigns this request to this quote; the batch says nobody.
    const bad = craftBatch(
      c.sys,
      c.sys.keys.leader,
      {
        term: 1,
        seq: head.seq,
        prevHash: head.prevHash,
        time: Math.max(head.time, await c.sys.chain.now()),
        stateDigest: ZERO_HASH,
      },
      [
        { kind: "quote", signed: quote },
        { kind: "request", signed: request },
      ],
      [],
    );
    await c.client.publish({ type: "batch", body: bad });
    await waitFor(() => alarms.length > 0, "an alarm");
    assert.equal(alarms[0]!.code, "LOG_ASSIGNMENTS_DIFFER");
    assert.equal(follower!.log.state.head.seq, head.seq, "the bad batch is not applied");
  });
});

import assert from "node:assert/strict";
import { stateDigest } from "../../../protocol/index.js";
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
});

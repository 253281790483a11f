import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACCEPT, COLLATERAL, type DevSystem, INPUTS, startDevSystem } from "../../chain/index.js";
import { KalypsoNode } from "../../node/kalypso-node.js";
import { NodeStore } from "../../node/store/node-store.js";
import { waitFor } from "../helpers/wait.js";

describe("node/chain watcher (anvil, LevelDB)", function () {
  this.timeout(120_000);
  let sys: DevSystem;
  let dir: string;
  const nodes: KalypsoNode[] = [];

  before(async () => {
    sys = await startDevSystem({ idleMineIntervalMs: 0 });
  });
  after(async () => sys?.chain.stop());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kalypso-watch-"));
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<KalypsoNode> {
    const node = await KalypsoNode.start({
      dataDir: dir,
      domains: { market: sys.d.marketDomain, matcher: sys.d.registryDomain },
      network: { localNetwork: true, dht: false },
      chain: {
        provider: sys.chain.provider,
        contracts: [
          { label: "marketplace", address: sys.d.marketplace.address, abi: sys.d.artifacts.Marketplace!.abi },
        ],
        confirmations: 0,
        fromBlock: sys.d.deployBlock,
        pollIntervalMs: 100,
      },
    });
    nodes.push(node);
    return node;
  }

  it("learns markets from the chain, keeps them and its cursor across a restart, and resumes after it", async () => {
    const node = await start();
    const first = await waitFor(() => node.followedMarkets.get(sys.marketId), "the dev market");
    assert.deepEqual(first, { minProvingTime: 10, maxProvingTime: 3600, requiresTee: false });
    assert.ok(Math.abs(node.now() - (await sys.chain.now())) <= 2, "node time is chain time");
    await node.stop();
    nodes.length = 0;
    const store = await NodeStore.open(join(dir, "db"));
    const cursor = await store.getCursor("contracts");
    await store.close();
    assert.ok(cursor !== undefined && cursor >= sys.d.deployBlock, `cursor saved (${cursor})`);

    const { marketId: second } = await sys.d.marketplace.createMarket(
      {
        verifier: sys.d.testVerifier!,
        collateralPerRequest: COLLATERAL * 2n,
        minProvingTime: 30,
        maxProvingTime: 600,
        requiresTee: true,
      },
      INPUTS,
      ACCEPT,
    );
    const again = await start();
    assert.ok(again.followedMarkets.has(sys.marketId), "the first market comes back from the store");
    const learned = await waitFor(
      () => again.followedMarkets.get(second),
      "the market created while it was down",
    );
    assert.deepEqual(learned, { minProvingTime: 30, maxProvingTime: 600, requiresTee: true });
  });
});

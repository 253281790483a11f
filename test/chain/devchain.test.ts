/** The dev chain: anvil from npm on a free port, the idle miner, and a clean stop. */
import { strict as assert } from "node:assert";
import { connectChain, DevChain, deployKalypso } from "../../chain/index.js";
import { waitFor } from "../helpers/wait.js";
import { expectCode } from "./fixture.js";

/** Poll `ok` until it holds (deadline `timeoutMs`). */
async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  await waitFor(async () => (await ok()) || undefined, what, { timeoutMs, intervalMs: 20 });
}

describe("chain: dev chain", () => {
  let chain: DevChain | undefined;
  afterEach(async () => {
    await chain?.stop();
    chain = undefined;
  });

  it("starts anvil on a loopback port with funded accounts; the idle miner moves chain time", async () => {
    chain = await DevChain.start({ idleMineIntervalMs: 50, chainId: 4242 });
    assert.match(chain.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await chain.provider.getNetwork()).chainId, 4242n);
    assert.equal(chain.keys.length, 10);
    const balance = await chain.provider.getBalance(await (await chain.provider.getSigner(0)).getAddress());
    assert.equal(balance, 10_000n * 10n ** 18n);
    const start = await chain.provider.getBlockNumber();
    await until("two idle blocks", async () => (await chain!.provider.getBlockNumber()) >= start + 2);
  });

  it("mines explicitly and sees the new block at once (no stale cache)", async () => {
    chain = await DevChain.start({ idleMineIntervalMs: 0 });
    const before = await chain.provider.getBlock("latest");
    await chain.increaseTime(1000);
    const after = await chain.provider.getBlock("latest");
    assert.equal(after!.number, before!.number + 1);
    assert.ok(after!.timestamp >= before!.timestamp + 1000);
  });

  it("connectChain: a dev chain by default, any endpoint by URL; an unreachable node is RPC_ERROR", async () => {
    const dev = await connectChain({ devChain: { idleMineIntervalMs: 0 } });
    try {
      assert.ok(dev.devChain);
      const remote = await connectChain({ rpcUrl: dev.devChain.url, chainId: 31337, pollingIntervalMs: 20 });
      const d = await deployKalypso(await remote.provider.getSigner(0));
      assert.equal((await d.registry.lease()).term, 0, "deployed and read through the URL connection");
      await dev.stop();
      await expectCode(d.marketplace.deposit(1n), "RPC_ERROR");
      await remote.stop();
      await remote.stop();
    } finally {
      await dev.stop();
    }
  });

  it("stop ends anvil (its port refuses) and is idempotent", async () => {
    const c = await DevChain.start({ idleMineIntervalMs: 0 });
    await c.stop();
    await c.stop();
    await assert.rejects(fetch(c.url, { method: "POST", body: "{}" }));
  });
});

/** The dev chain: anvil from npm on a free port, the idle miner, and a clean stop. */
import { strict as assert } from "node:assert";
import { DevChain } from "../../chain/index.js";

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
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

  it("stop ends anvil (its port refuses) and is idempotent", async () => {
    const c = await DevChain.start({ idleMineIntervalMs: 0 });
    await c.stop();
    await c.stop();
    await assert.rejects(fetch(c.url, { method: "POST", body: "{}" }));
  });
});

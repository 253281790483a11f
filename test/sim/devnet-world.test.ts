import assert from "node:assert/strict";
import { releaseSnarkjs } from "../../node/prover/verify.js";
import { privateKeyToAddress } from "../../protocol/index.js";
import { DEVNET_COLLATERAL, type DevnetWorld, startDevnetWorld } from "../../sim/devnet/devnet-world.js";

describe("sim/devnet world (anvil, real Groth16 verifier)", function () {
  this.timeout(120_000);
  let world: DevnetWorld | undefined;
  after(async () => {
    await world?.stop();
    await releaseSnarkjs();
  });

  it("deploys, registers every matcher enclave and opens a market on a real verifier", async () => {
    world = await startDevnetWorld({
      shape: { matchers: 2, provers: 3, requesters: 1 },
      chain: { idleMineIntervalMs: 0 },
    });
    assert.equal(world.keys.matchers.length, 2);
    assert.equal(world.keys.provers.length, 3);
    for (const key of world.keys.matchers) {
      const m = await world.deployment.registry.matcher(privateKeyToAddress(key));
      assert.notEqual(m.operator, "0x0000000000000000000000000000000000000000", "registered");
    }
    const [market] = world.markets;
    assert.ok(market, "one market");
    const onChain = await world.deployment.marketplace.market(market.marketId);
    assert.equal(onChain.verifier.toLowerCase(), market.verifier);
    assert.equal(onChain.collateralPerRequest, DEVNET_COLLATERAL);
    assert.equal(market.description.verifier, market.verifier);
  });
});

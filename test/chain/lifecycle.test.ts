/** The whole life of a request on a real anvil, through both payment paths. */
import { strict as assert } from "node:assert";
import { ACCEPT, COLLATERAL, INPUTS, setupWorld, type World } from "./fixture.js";

describe("chain: request lifecycle", () => {
  let w: World;
  let snap: string;
  before(async () => {
    w = await setupWorld();
  });
  after(async () => {
    await w?.chain.stop();
  });
  beforeEach(async () => {
    snap = await w.chain.snapshot();
  });
  afterEach(async () => {
    await w.chain.revert(snap);
  });

  it("deposit path: signed request, assignment, fulfil pays the prover and refunds the surplus", async () => {
    const requester = await w.market("requester");
    const prover = await w.market("prover");
    await requester.deposit(10n ** 16n);
    await prover.depositCollateral(3n * COLLATERAL);
    const r = await w.request();
    const q = await w.quote();
    const batch = await w.batch([{ request: w.signedRequest(r), quote: q }]);
    const receipt = await (await w.market("other")).assign(batch);
    const [rec] = w.d.marketplace.assignedIn(receipt);
    assert.ok(rec);
    assert.equal(await requester.balanceOf(w.addr.requester), 10n ** 16n - q.quote.price);
    assert.deepEqual(await prover.collateralOf(w.addr.prover), {
      free: 2n * COLLATERAL,
      locked: COLLATERAL,
      pending: 0n,
      withdrawableAt: 0,
    });
    await prover.fulfil({ record: rec, publicInputs: INPUTS, proof: ACCEPT });
    assert.equal(await prover.balanceOf(w.addr.prover), q.quote.price);
    assert.equal((await prover.collateralOf(w.addr.prover)).free, 3n * COLLATERAL);
    assert.equal((await prover.requestState(rec.requestId)).status, "fulfilled");
  });
});

/** The whole life of a request on a real anvil, through both payment paths, and every way it ends. */
import { strict as assert } from "node:assert";
import { requestId, signCancel } from "../../protocol/index.js";
import {
  ACCEPT,
  assignOne,
  COLLATERAL,
  expectCode,
  fund,
  INPUTS,
  setupWorld,
  type World,
} from "./fixture.js";

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
    assert.equal(
      rec.requestId,
      batch.assignments[0]!.requestId,
      "the contract's request id is protocol's requestId",
    );
    assert.equal(rec.deadline, (await w.chain.now()) + q.quote.provingTime, "deadline = now + proving time");
    assert.equal(
      await requester.balanceOf(w.addr.requester),
      10n ** 16n - q.quote.price,
      "only the price is escrowed",
    );
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

  it("on-chain path: submitted with payment, assigned, the surplus refunded, fulfilled", async () => {
    const requester = await w.market("requester");
    await (await w.market("prover")).depositCollateral(COLLATERAL);
    const r = await w.request();
    await requester.submitRequest(r);
    assert.equal((await requester.requestState(requestId(w.d.marketDomain, r))).status, "open");
    await requester.deposit(1n);
    const q = await w.quote();
    const receipt = await (await w.market("other")).assign(
      await w.batch([{ request: { request: r, paidOnChain: true }, quote: q }]),
    );
    const [rec] = w.d.marketplace.assignedIn(receipt);
    assert.equal(
      await requester.balanceOf(w.addr.requester),
      1n + r.maxPrice - q.quote.price,
      "surplus refunded",
    );
    await (await w.market("other")).fulfil({ record: rec!, publicInputs: INPUTS, proof: ACCEPT });
    assert.equal(
      await requester.balanceOf(w.addr.prover),
      q.quote.price,
      "the prover is paid whoever submits",
    );
  });

  it("a batch of 8 from two requesters and two quotes, fulfilled in one batch", async () => {
    await fund(w);
    await (await w.market("requester2")).deposit(10n ** 17n);
    await (await w.market("prover2")).depositCollateral(10n ** 17n);
    const q1 = await w.quote();
    const q2 = await w.quote({ price: 3n * 10n ** 14n }, "prover2");
    const entries = [];
    for (let i = 0; i < 8; i++) {
      const role = i % 2 ? "requester2" : "requester";
      entries.push({ request: w.signedRequest(await w.request({}, role), role), quote: i % 3 ? q1 : q2 });
    }
    const batch = await w.batch(entries);
    assert.equal(batch.quotes.length, 2, "each distinct quote is carried once");
    const records = w.d.marketplace.assignedIn(await (await w.market("other")).assign(batch));
    assert.equal(records.length, 8);
    await (await w.market("other")).fulfilBatch(
      records.map((record) => ({ record, publicInputs: INPUTS, proof: ACCEPT })),
    );
    const [p1, p2] = await w.d.marketplace.accountsOf([w.addr.prover, w.addr.prover2]);
    assert.equal(p1!.free, 5n * q1.quote.price);
    assert.equal(p2!.free, 3n * q2.quote.price);
    assert.equal(p2!.collateral.locked, 0n);
  });

  it("slash: only past the deadline and unfulfilled; refund + compensation + bounty = price + collateral", async () => {
    await fund(w);
    const rec = await assignOne(w);
    const slasher = await w.market("other");
    await expectCode(slasher.slash(rec), "DEADLINE_NOT_PASSED");
    await w.chain.increaseTime(rec.deadline - (await w.chain.now()) + 1);
    const before = await w.d.marketplace.accountsOf([w.addr.requester, w.addr.other, w.addr.prover]);
    await slasher.slash(rec);
    const after = await w.d.marketplace.accountsOf([w.addr.requester, w.addr.other, w.addr.prover]);
    const bounty = COLLATERAL / 10n;
    const toTreasury = COLLATERAL / 10n;
    assert.equal(after[0]!.free - before[0]!.free, rec.price + COLLATERAL - bounty - toTreasury, "requester");
    assert.equal(after[1]!.free - before[1]!.free, bounty, "slasher");
    assert.equal(await w.d.marketplace.treasury(), toTreasury, "treasury");
    assert.equal(
      before[2]!.collateral.locked - after[2]!.collateral.locked,
      COLLATERAL,
      "exactly the locked amount",
    );
    await expectCode(slasher.slash(rec), "WRONG_STATUS");
    await w.d.marketplace.withdrawTreasury(w.addr.owner);
    assert.equal(await w.d.marketplace.treasury(), 0n);
  });

  it("slash: not for an unassigned request, nor a fulfilled one", async () => {
    await fund(w);
    const rec = await assignOne(w);
    await (await w.market("prover")).fulfil({ record: rec, publicInputs: INPUTS, proof: ACCEPT });
    await w.chain.increaseTime(rec.deadline - (await w.chain.now()) + 1);
    const e = await expectCode((await w.market("other")).slash(rec), "WRONG_STATUS");
    assert.equal(e.args[1], 3n, "status fulfilled");
    const never = { ...rec, requestId: `0x${"77".repeat(32)}` as typeof rec.requestId };
    const e2 = await expectCode((await w.market("other")).slash(never), "WRONG_STATUS");
    assert.equal(e2.args[1], 0n, "status none");
  });

  it("refund: an unassigned on-chain request past assign-by, to the requester, once", async () => {
    const requester = await w.market("requester");
    const r = await w.request();
    await requester.submitRequest(r);
    await w.chain.increaseTime(601);
    await (await w.market("other")).refund(r);
    assert.equal(await requester.balanceOf(w.addr.requester), r.maxPrice);
    await expectCode(requester.refund(r), "WRONG_STATUS");
  });

  it("cancel: signed Cancel relayed by anyone blocks a deposit-paid request from being assigned", async () => {
    await fund(w);
    const r = await w.request();
    const c = signCancel(
      w.d.marketDomain,
      { requestId: requestId(w.d.marketDomain, r), requester: r.requester },
      w.keys.requester,
    );
    await (await w.market("other")).cancelSigned(r, c.signature);
    const b = await w.batch([{ request: w.signedRequest(r), quote: await w.quote() }]);
    await expectCode((await w.market("other")).assign(b), "WRONG_STATUS");
    const forged = signCancel(
      w.d.marketDomain,
      { requestId: requestId(w.d.marketDomain, r), requester: r.requester },
      w.keys.other,
    );
    await expectCode(
      (await w.market("other")).cancelSigned(await w.request(), forged.signature),
      "SIGNER_MISMATCH",
    );
  });

  it("cancel: on-chain by the requester refunds an on-chain request; not once assigned", async () => {
    await fund(w);
    const requester = await w.market("requester");
    const r = await w.request();
    await requester.submitRequest(r);
    const before = await requester.balanceOf(w.addr.requester);
    await requester.cancel(r);
    assert.equal((await requester.balanceOf(w.addr.requester)) - before, r.maxPrice);
    const r2 = await w.request();
    await (await w.market("other")).assign(
      await w.batch([{ request: w.signedRequest(r2), quote: await w.quote() }]),
    );
    await expectCode(requester.cancel(r2), "WRONG_STATUS");
    await expectCode((await w.market("other")).cancel(await w.request()), "NOT_REQUESTER");
  });

  it("collateral: withdrawal only after the delay; free and pending tracked apart", async () => {
    const p = await w.market("prover");
    await p.depositCollateral(3n * COLLATERAL);
    await p.requestCollateralWithdrawal(COLLATERAL);
    const c = await p.collateralOf(w.addr.prover);
    assert.equal(c.free, 2n * COLLATERAL);
    assert.equal(c.pending, COLLATERAL);
    await expectCode(p.withdrawCollateral(), "WITHDRAWAL_NOT_READY");
    await w.chain.increaseTime(3600);
    const balance = await w.chain.provider.getBalance(w.d.marketplace.address);
    await p.withdrawCollateral();
    assert.equal(balance - (await w.chain.provider.getBalance(w.d.marketplace.address)), COLLATERAL);
    assert.equal((await p.collateralOf(w.addr.prover)).pending, 0n);
  });

  it("escrowed funds are never withdrawable", async () => {
    await fund(w);
    const requester = await w.market("requester");
    const rec = await assignOne(w);
    const free = await requester.balanceOf(w.addr.requester);
    await expectCode(requester.withdraw(free + rec.price), "INSUFFICIENT_BALANCE");
    await requester.withdraw(free);
    assert.equal(await requester.balanceOf(w.addr.requester), 0n);
  });
});

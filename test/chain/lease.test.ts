/** The leadership lease: claim only when expired, renew by the holder, fencing, equivocation. */
import { strict as assert } from "node:assert";
import { signAttestation } from "../../chain/index.js";
import { type Hex32, signBatchHeader } from "../../protocol/index.js";
import { ACCEPT, enclaveKeyOf, expectCode, fund, INPUTS, setupWorld, type World } from "./fixture.js";
import { equivocate, header } from "./revert-cases-registry.js";

describe("chain: lease and equivocation", () => {
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

  async function expire() {
    const { expiresAt } = await w.d.registry.lease();
    const now = await w.chain.now();
    if (now < expiresAt) await w.chain.increaseTime(expiresAt - now);
  }

  it("claim succeeds only once the lease expired, and bumps the term", async () => {
    const before = await w.d.registry.lease();
    assert.equal(before.leader, w.addr.leader);
    assert.equal(before.term, 1);
    const m2 = await w.registry("matcher2");
    await expectCode(m2.claim(), "LEASE_NOT_EXPIRED");
    await expire();
    await m2.claim();
    const after = await w.d.registry.lease();
    assert.deepEqual([after.leader, after.term], [w.addr.matcher2, 2]);
    assert.equal(after.expiresAt, (await w.chain.now()) + 30);
  });

  it("renew: by the holder before expiry extends the lease; not after expiry", async () => {
    const leader = await w.registry("leader");
    await w.chain.increaseTime(10);
    await leader.renew();
    assert.equal((await w.d.registry.lease()).expiresAt, (await w.chain.now()) + 30);
    await expire();
    await expectCode(leader.renew(), "LEASE_NOT_HELD");
  });

  it("a batch with a stale term is rejected after a new leader claims; the new leader's is accepted", async () => {
    await fund(w);
    const entries = [{ request: w.signedRequest(await w.request()), quote: await w.quote() }];
    const old = await w.batch(entries);
    await expire();
    await (await w.registry("matcher2")).claim();
    const relayer = await w.market("other");
    const e = await expectCode(relayer.assign(old), "STALE_TERM");
    assert.deepEqual(e.args, [1n, 2n]);
    await expectCode(relayer.assign(await w.batch(entries, 2, "leader")), "SIGNER_MISMATCH");
    const [rec] = w.d.marketplace.assignedIn(await relayer.assign(await w.batch(entries, 2, "matcher2")));
    assert.equal((await w.d.marketplace.requestState(rec!.requestId)).status, "assigned");
  });

  it("equivocation slashes the bond once, ends the term, and the slashed matcher never leads again", async () => {
    const registry = w.d.registry;
    await equivocate(w, "other");
    const m = await registry.matcher(w.addr.leader);
    assert.equal(m.slashed, true);
    assert.equal(m.bond, 0n);
    assert.equal(await registry.withdrawable(w.addr.other), 5n * 10n ** 17n, "half the bond to the reporter");
    assert.equal(await registry.withdrawable(w.addr.owner), 5n * 10n ** 17n, "half to the treasury");
    assert.equal((await registry.lease()).expiresAt, await w.chain.now(), "the term ended");
    await fund(w);
    const b = await w.batch([{ request: w.signedRequest(await w.request()), quote: await w.quote() }]);
    await expectCode((await w.market("other")).assign(b), "LEASE_EXPIRED");
    await expectCode(equivocate(w, "requester"), "MATCHER_SLASHED");
    await expectCode((await w.registry("leader")).claim(), "MATCHER_SLASHED");
    await (await w.registry("matcher2")).claim();
    const balance = await w.chain.provider.getBalance(registry.address);
    await (await w.registry("other")).withdraw();
    assert.equal(balance - (await w.chain.provider.getBalance(registry.address)), 5n * 10n ** 17n);
  });

  it("an equivocation proven for an old term also ends the term the matcher holds now", async () => {
    const d = w.d.registryDomain;
    const a = await header(w, 1);
    const b = await header(w, 2);
    const sa = signBatchHeader(d, a, w.keys.leader);
    const sb = signBatchHeader(d, b, w.keys.leader);
    await expire();
    await (await w.registry("matcher2")).claim();
    await expire();
    await (await w.registry("leader")).claim();
    assert.equal((await w.d.registry.lease()).term, 3);
    await (await w.registry("other")).reportEquivocation(a, sa, b, sb);
    assert.equal((await w.d.registry.lease()).expiresAt, await w.chain.now(), "term 3 ended");
    await expectCode((await w.registry("leader")).renew(), "LEASE_NOT_HELD");
  });

  it("exit: the lease ends at once, the bond is released to the operator after the delay, slashable until then", async () => {
    const leader = await w.registry("leader");
    await leader.requestExit(w.addr.leader);
    assert.equal(
      (await w.d.registry.lease()).expiresAt,
      await w.chain.now(),
      "an exiting leader stops leading",
    );
    await (await w.registry("matcher2")).claim();
    await expectCode(leader.releaseBond(w.addr.leader), "EXIT_NOT_READY");
    await w.chain.increaseTime(86_400);
    await leader.releaseBond(w.addr.leader);
    assert.equal(await w.d.registry.withdrawable(w.addr.leader), 10n ** 18n);
    assert.equal((await w.d.registry.matcher(w.addr.leader)).bond, 0n);
    const m2 = await w.registry("matcher2");
    await m2.requestExit(w.addr.matcher2);
    const h1 = await header(w, 1);
    const h2 = await header(w, 2);
    const d = w.d.registryDomain;
    await (await w.registry("other")).reportEquivocation(
      h1,
      signBatchHeader(d, h1, w.keys.matcher2),
      h2,
      signBatchHeader(d, h2, w.keys.matcher2),
    );
    await w.chain.increaseTime(86_400);
    await expectCode(m2.releaseBond(w.addr.matcher2), "MATCHER_SLASHED");
  });

  it("two headers with different (term, seq) are not an equivocation; nor one signed by a non-leader", async () => {
    const d = w.d.registryDomain;
    const a = await header(w, 1);
    const b = await header(w, 2, { seq: 6 });
    const r = await w.registry("other");
    await expectCode(
      r.reportEquivocation(a, signBatchHeader(d, a, w.keys.leader), b, signBatchHeader(d, b, w.keys.leader)),
      "NOT_EQUIVOCATION",
    );
    const c = await header(w, 3);
    await expectCode(
      r.reportEquivocation(
        a,
        signBatchHeader(d, a, w.keys.matcher2),
        c,
        signBatchHeader(d, c, w.keys.matcher2),
      ),
      "SIGNER_MISMATCH",
    );
  });

  it("TEE markets take only attested provers, and take private inputs", async () => {
    const image = `0x${"ef".repeat(32)}` as Hex32;
    await w.d.registry.setProverImage(image, true);
    const { marketId } = await w.d.marketplace.createMarket(
      {
        verifier: w.d.testVerifier!,
        collateralPerRequest: 1n,
        minProvingTime: 1,
        maxProvingTime: 999,
        requiresTee: true,
      },
      INPUTS,
      ACCEPT,
    );
    await fund(w);
    const entries = [
      {
        request: w.signedRequest(await w.request({ marketId, secretHash: `0x${"5e".repeat(32)}` as Hex32 })),
        quote: await w.quote({ marketId }),
      },
    ];
    await expectCode((await w.market("other")).assign(await w.batch(entries)), "PROVER_NOT_ATTESTED");
    const att = signAttestation(
      w.d.registryDomain,
      w.keys.verifierKey,
      enclaveKeyOf(w.keys.prover),
      image,
      await w.chain.now(),
    );
    await (await w.registry("prover")).attestProver(enclaveKeyOf(w.keys.prover), att);
    assert.equal(await w.d.registry.isAttestedProver(w.addr.prover), true);
    const records = w.d.marketplace.assignedIn(
      await (await w.market("other")).assign(await w.batch(entries)),
    );
    assert.equal(records.length, 1);
    await w.d.registry.setProverImage(image, false);
    assert.equal(await w.d.registry.isAttestedProver(w.addr.prover), false, "removing the image revokes");
  });
});

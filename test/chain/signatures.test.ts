/** EIP-712 parity with protocol/, and no signature replays across chain id, contract or market. */
import { strict as assert } from "node:assert";
import { Contract } from "ethers";
import { deployKalypso, requestTuple, signAssignmentBatch } from "../../chain/index.js";
import {
  type Domain,
  domainSeparator,
  makeDomain,
  requestId,
  signBatchHeader,
  signCancel,
  signQuote,
  signRequest,
  toHex,
  type ZERO_HASH,
} from "../../protocol/index.js";
import { ACCEPT, expectCode, fund, highS, INPUTS, setupWorld, type World } from "./fixture.js";
import { header } from "./revert-cases-registry.js";

const ZERO_SIG = `0x${"00".repeat(65)}` as const;

describe("chain: signatures", () => {
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
    await fund(w);
  });
  afterEach(async () => {
    await w.chain.revert(snap);
  });

  const otherChain = (d: Domain) => makeDomain(d.chainId + 1n, d.verifyingContract);

  it("domain separators and request ids equal protocol/eip712.ts byte for byte", async () => {
    const abi = [
      "function domainSeparator() view returns (bytes32)",
      "function requestIdOf((uint64,address,bytes32,bytes32,uint256,uint64,uint64,uint64)) view returns (bytes32)",
    ];
    const m = new Contract(w.d.marketplace.address, abi, w.chain.provider);
    const reg = new Contract(w.d.registry.address, abi, w.chain.provider);
    assert.equal(await m.getFunction("domainSeparator")(), toHex(domainSeparator(w.d.marketDomain)));
    assert.equal(await reg.getFunction("domainSeparator")(), toHex(domainSeparator(w.d.registryDomain)));
    for (let i = 0; i < 5; i++) {
      const r = await w.request({
        maxPrice: 2n ** BigInt(60 + i * 30),
        nonce: 2n ** 63n + BigInt(i),
        secretHash: `0x${String(i).repeat(64)}` as typeof ZERO_HASH,
      });
      const t = requestTuple(r);
      const onChain = await m.getFunction("requestIdOf")([
        t.marketId,
        t.requester,
        t.inputsHash,
        t.secretHash,
        t.maxPrice,
        t.assignBy,
        t.provingTime,
        t.nonce,
      ]);
      assert.equal(onChain, requestId(w.d.marketDomain, r), `request ${i}`);
    }
  });

  it("a request signed for another chain id, another contract, or another market is rejected", async () => {
    const r = await w.request();
    const q = await w.quote();
    const assign = async (sr: ReturnType<typeof signRequest>) =>
      (await w.market("other")).assign(await w.batch([{ request: sr, quote: q }]));
    await expectCode(
      assign(signRequest(otherChain(w.d.marketDomain), r, w.keys.requester)),
      "SIGNER_MISMATCH",
    );
    await expectCode(assign(signRequest(w.d.registryDomain, r, w.keys.requester)), "SIGNER_MISMATCH");
    const second = await deployKalypso(await w.signer("owner"));
    await expectCode(assign(signRequest(second.marketDomain, r, w.keys.requester)), "SIGNER_MISMATCH");
    // Another market: the signature covers marketId, so moving the request changes its id.
    const { marketId } = await w.d.marketplace.createMarket(
      {
        verifier: w.d.testVerifier!,
        collateralPerRequest: 1n,
        minProvingTime: 1,
        maxProvingTime: 999,
        requiresTee: false,
      },
      INPUTS,
      ACCEPT,
    );
    const sr = w.signedRequest(r);
    const moved = { ...sr, request: { ...r, marketId } };
    const q2 = await w.quote({ marketId });
    await expectCode(
      (await w.market("other")).assign(await w.batch([{ request: moved, quote: q2 }])),
      "SIGNER_MISMATCH",
    );
    await expectCode(
      assign(sr).then(() => assign(sr)),
      "WRONG_STATUS",
    );
  });

  it("a quote, a leader batch and a cancel signed for another chain or contract are rejected", async () => {
    const r = await w.request();
    const q = (await w.quote()).quote;
    const m = await w.market("other");
    const badQuote = signQuote(otherChain(w.d.marketDomain), q, w.keys.prover);
    await expectCode(
      m.assign(await w.batch([{ request: w.signedRequest(r), quote: badQuote }])),
      "SIGNER_MISMATCH",
    );
    const good = await w.batch([
      { request: w.signedRequest(r), quote: signQuote(w.d.marketDomain, q, w.keys.prover) },
    ]);
    const { term } = await w.d.registry.lease();
    for (const domain of [otherChain(w.d.registryDomain), w.d.marketDomain]) {
      const resigned = signAssignmentBatch(domain, term, good, w.keys.leader);
      await expectCode(m.assign(resigned), "SIGNER_MISMATCH");
    }
    const c = signCancel(
      otherChain(w.d.marketDomain),
      { requestId: requestId(w.d.marketDomain, r), requester: r.requester },
      w.keys.requester,
    );
    await expectCode(m.cancelSigned(r, c.signature), "SIGNER_MISMATCH");
    await m.assign(good);
  });

  it("zero signatures are rejected everywhere", async () => {
    const m = await w.market("other");
    const r = await w.request();
    const sr = { ...w.signedRequest(r), signature: ZERO_SIG };
    await expectCode(
      m.assign(await w.batch([{ request: sr, quote: await w.quote() }])),
      "SIGNATURE_MALFORMED",
    );
    const b = await w.batch([{ request: w.signedRequest(r), quote: await w.quote() }]);
    await expectCode(m.assign({ ...b, leaderSignature: ZERO_SIG }), "SIGNATURE_MALFORMED");
    await expectCode(m.cancelSigned(r, ZERO_SIG), "SIGNATURE_MALFORMED");
    const h = await header(w, 1);
    await expectCode(
      (await w.registry("other")).reportEquivocation(h, ZERO_SIG, await header(w, 2), ZERO_SIG),
      "SIGNATURE_MALFORMED",
    );
  });

  it("high-s twins of valid signatures are rejected everywhere", async () => {
    const m = await w.market("other");
    const r = await w.request();
    const q = await w.quote();
    await expectCode(
      m.assign(
        await w.batch([{ request: w.signedRequest(r), quote: { ...q, signature: highS(q.signature) } }]),
      ),
      "SIGNATURE_HIGH_S",
    );
    const b = await w.batch([{ request: w.signedRequest(r), quote: q }]);
    await expectCode(m.assign({ ...b, leaderSignature: highS(b.leaderSignature) }), "SIGNATURE_HIGH_S");
    const c = signCancel(
      w.d.marketDomain,
      { requestId: requestId(w.d.marketDomain, r), requester: r.requester },
      w.keys.requester,
    );
    await expectCode(m.cancelSigned(r, highS(c.signature)), "SIGNATURE_HIGH_S");
    const h1 = await header(w, 1);
    const h2 = await header(w, 2);
    const s1 = signBatchHeader(w.d.registryDomain, h1, w.keys.leader);
    const s2 = signBatchHeader(w.d.registryDomain, h2, w.keys.leader);
    await expectCode(
      (await w.registry("other")).reportEquivocation(h1, highS(s1), h2, s2),
      "SIGNATURE_HIGH_S",
    );
    await m.assign(b);
  });
});

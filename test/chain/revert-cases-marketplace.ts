/** Revert cases of the marketplace: requests, assignment, fulfil, slash, balances, collateral, markets. */
import type { Address } from "../../protocol/index.js";
import { ACCEPT, assignOne, COLLATERAL, fund, highS, INPUTS, REJECT, type World } from "./fixture.js";
import type { RevertCase } from "./revert-cases.js";

const market = (w: World, role: Parameters<World["market"]>[0] = "other") => w.market(role);

async function assignWith(w: World, over: { request?: object; quote?: object } = {}) {
  const r = await w.request(over.request);
  const q = await w.quote(over.quote);
  return (await market(w)).assign(await w.batch([{ request: w.signedRequest(r), quote: q }]));
}

async function pastDeadline(w: World, deadline: number) {
  await w.chain.increaseTime(deadline - (await w.chain.now()) + 1);
}

/** A contract with no payable fallback (TestVerifier), impersonated, as an account that cannot receive ether. */
export async function unpayable(w: World): Promise<Address> {
  const a = w.d.testVerifier!;
  await w.chain.provider.send("anvil_impersonateAccount", [a]);
  await w.chain.provider.send("anvil_setBalance", [a, "0x56BC75E2D63100000"]);
  return a;
}

export const MARKETPLACE_CASES: RevertCase<World>[] = [
  {
    error: "SignatureMalformed",
    name: "a zero quote signature",
    run: async (w) => {
      await fund(w);
      const q = await w.quote();
      const b = await w.batch([{ request: w.signedRequest(await w.request()), quote: q }]);
      b.quotes[0]!.signature = { r: `0x${"00".repeat(32)}`, s: `0x${"00".repeat(32)}`, v: 27 };
      return (await market(w)).assign(b);
    },
  },
  {
    error: "SignatureHighS",
    name: "the high-s twin of a valid request signature",
    run: async (w) => {
      await fund(w);
      const sr = w.signedRequest(await w.request());
      const b = await w.batch([
        { request: { ...sr, signature: highS(sr.signature) }, quote: await w.quote() },
      ]);
      return (await market(w)).assign(b);
    },
  },
  {
    error: "SignerMismatch",
    name: "a request signed by someone else than its requester",
    run: async (w) => {
      await fund(w);
      const r = await w.request();
      const b = await w.batch([{ request: w.signedRequest(r, "other"), quote: await w.quote() }]);
      return (await market(w)).assign(b);
    },
  },
  {
    error: "InsufficientFreeCollateral",
    name: "assignment to a prover without collateral",
    run: async (w) => {
      await (await market(w, "requester")).deposit(10n ** 17n);
      return assignWith(w);
    },
  },
  {
    error: "NothingPending",
    name: "withdrawCollateral with nothing pending",
    run: async (w) => (await market(w, "prover")).withdrawCollateral(),
  },
  {
    error: "WithdrawalNotReady",
    name: "withdrawCollateral before the delay",
    run: async (w) => {
      const p = await market(w, "prover");
      await p.depositCollateral(COLLATERAL);
      await p.requestCollateralWithdrawal(COLLATERAL);
      return p.withdrawCollateral();
    },
  },
  {
    error: "AmountTooLarge",
    name: "collateral above 2^96 wei",
    run: async (w) => {
      await w.chain.provider.send("anvil_setBalance", [w.addr.prover, `0x${(2n ** 100n).toString(16)}`]);
      return (await market(w, "prover")).depositCollateral(2n ** 96n);
    },
  },
  {
    error: "TransferFailed",
    name: "withdraw to an account that refuses ether",
    run: async (w) => {
      const a = await unpayable(w);
      const c = w.d.marketplace.connect(await w.chain.provider.getSigner(a));
      await c.deposit(1000n);
      return c.withdraw(1000n);
    },
  },
  {
    error: "ZeroAmount",
    name: "a zero deposit",
    run: async (w) => (await market(w, "requester")).deposit(0n),
  },
  {
    error: "InsufficientBalance",
    name: "withdraw more than the free balance",
    run: async (w) => {
      const m = await market(w, "requester");
      await m.deposit(10n);
      return m.withdraw(11n);
    },
  },
  {
    error: "NotOwner",
    name: "withdrawTreasury by a non-owner",
    run: async (w) => (await market(w)).withdrawTreasury(w.addr.other),
  },
  {
    error: "MarketNotFound",
    name: "an on-chain request in a market that does not exist",
    run: async (w) => (await market(w, "requester")).submitRequest(await w.request({ marketId: 999 })),
  },
  {
    error: "BadProvingTimeBounds",
    name: "a market with minProvingTime 0",
    run: async (w) =>
      w.d.marketplace.createMarket(
        {
          verifier: w.d.testVerifier!,
          collateralPerRequest: 1n,
          minProvingTime: 0,
          maxProvingTime: 10,
          requiresTee: false,
        },
        INPUTS,
        ACCEPT,
      ),
  },
  {
    error: "ZeroCollateral",
    name: "a market without collateral",
    run: async (w) =>
      w.d.marketplace.createMarket(
        {
          verifier: w.d.testVerifier!,
          collateralPerRequest: 0n,
          minProvingTime: 1,
          maxProvingTime: 10,
          requiresTee: false,
        },
        INPUTS,
        ACCEPT,
      ),
  },
  {
    error: "SampleProofRejected",
    name: "a market whose verifier rejects the sample proof",
    run: async (w) =>
      w.d.marketplace.createMarket(
        {
          verifier: w.d.testVerifier!,
          collateralPerRequest: 1n,
          minProvingTime: 1,
          maxProvingTime: 10,
          requiresTee: false,
        },
        INPUTS,
        REJECT,
      ),
  },
  {
    error: "NotAContract",
    name: "a market whose verifier has no code",
    run: async (w) =>
      w.d.marketplace.createMarket(
        {
          verifier: w.addr.other,
          collateralPerRequest: 1n,
          minProvingTime: 1,
          maxProvingTime: 10,
          requiresTee: false,
        },
        INPUTS,
        ACCEPT,
      ),
  },
  {
    error: "WrongStatus",
    name: "fulfilling a request twice",
    run: async (w) => {
      await fund(w);
      const rec = await assignOne(w);
      const p = await market(w, "prover");
      await p.fulfil({ record: rec, publicInputs: INPUTS, proof: ACCEPT });
      return p.fulfil({ record: rec, publicInputs: INPUTS, proof: ACCEPT });
    },
  },
  {
    error: "NotRequester",
    name: "an on-chain request sent by someone else",
    run: async (w) => (await market(w, "other")).submitRequest(await w.request()),
  },
  {
    error: "WrongPayment",
    name: "an on-chain request paid less than maxPrice",
    run: async (w) => {
      const r = await w.request();
      return (await market(w, "requester")).submitRequest(r, { value: r.maxPrice - 1n });
    },
  },
  {
    error: "ProvingTimeOutOfBounds",
    name: "a request below the market's minimum proving time",
    run: async (w) => (await market(w, "requester")).submitRequest(await w.request({ provingTime: 5 })),
  },
  {
    error: "AssignByPassed",
    name: "an on-chain request whose assign-by time has passed",
    run: async (w) => {
      const now = await w.chain.now();
      return (await market(w, "requester")).submitRequest(await w.request({ assignBy: now - 1 }));
    },
  },
  {
    error: "AssignByNotPassed",
    name: "a refund before assign-by",
    run: async (w) => {
      const r = await w.request();
      const m = await market(w, "requester");
      await m.submitRequest(r);
      return m.refund(r);
    },
  },
  {
    error: "RecordMismatch",
    name: "a fulfil whose record claims a higher price",
    run: async (w) => {
      await fund(w);
      const rec = await assignOne(w);
      return (await market(w, "prover")).fulfil({
        record: { ...rec, price: rec.price + 1n },
        publicInputs: INPUTS,
        proof: ACCEPT,
      });
    },
  },
  {
    error: "DeadlinePassed",
    name: "a proof after the deadline",
    run: async (w) => {
      await fund(w);
      const rec = await assignOne(w);
      await pastDeadline(w, rec.deadline);
      return (await market(w, "prover")).fulfil({ record: rec, publicInputs: INPUTS, proof: ACCEPT });
    },
  },
  {
    error: "DeadlineNotPassed",
    name: "a slash before the deadline",
    run: async (w) => {
      await fund(w);
      return (await market(w)).slash(await assignOne(w));
    },
  },
  {
    error: "ProofRejected",
    name: "a proof the verifier rejects",
    run: async (w) => {
      await fund(w);
      const rec = await assignOne(w);
      return (await market(w, "prover")).fulfil({ record: rec, publicInputs: INPUTS, proof: REJECT });
    },
  },
  {
    error: "InputsMismatch",
    name: "a proof for other public inputs",
    run: async (w) => {
      await fund(w);
      const rec = await assignOne(w);
      return (await market(w, "prover")).fulfil({
        record: rec,
        publicInputs: Uint8Array.of(9),
        proof: ACCEPT,
      });
    },
  },
  {
    error: "StaleTerm",
    name: "a batch signed for a term that is not current",
    run: async (w) => {
      await fund(w);
      const b = await w.batch([{ request: w.signedRequest(await w.request()), quote: await w.quote() }], 7);
      return (await market(w)).assign(b);
    },
  },
  {
    error: "LeaseExpired",
    name: "a batch after the leader's lease expired",
    run: async (w) => {
      await fund(w);
      const lease = await w.d.registry.lease();
      await w.chain.increaseTime(lease.expiresAt - (await w.chain.now()));
      const now = await w.chain.now();
      const r = await w.request({ assignBy: now + 600 });
      return (await market(w)).assign(
        await w.batch([{ request: w.signedRequest(r), quote: await w.quote() }]),
      );
    },
  },
  {
    error: "QuoteExpired",
    name: "a quote past validUntil",
    run: async (w) => {
      await fund(w);
      const now = await w.chain.now();
      return assignWith(w, { quote: { validUntil: now - 1 } });
    },
  },
  {
    error: "MarketMismatch",
    name: "a quote for another market",
    run: async (w) => {
      await fund(w);
      return assignWith(w, { quote: { marketId: w.marketId + 1 } });
    },
  },
  {
    error: "PriceAboveMax",
    name: "a quote above the request's maxPrice",
    run: async (w) => {
      await fund(w);
      return assignWith(w, { request: { maxPrice: 10n }, quote: { price: 11n } });
    },
  },
  {
    error: "ProvingTimeTooLong",
    name: "a quote slower than the request allows",
    run: async (w) => {
      await fund(w);
      return assignWith(w, { request: { provingTime: 30 }, quote: { provingTime: 31 } });
    },
  },
  {
    error: "ProverNotAttested",
    name: "an unattested prover in a TEE market",
    run: async (w) => {
      await fund(w);
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
      return assignWith(w, { request: { marketId }, quote: { marketId } });
    },
  },
  {
    error: "QuoteIndexOutOfRange",
    name: "a request pointing past the batch's quotes",
    run: async (w) => {
      await fund(w);
      const b = await w.batch([{ request: w.signedRequest(await w.request()), quote: await w.quote() }]);
      b.items[0]!.quoteIndex = 3;
      return (await market(w)).assign(b);
    },
  },
  {
    error: "EmptyBatch",
    name: "a batch without assignments",
    run: async (w) => (await market(w)).assign(await w.batch([])),
  },
];

/**
 * `npm run bench -- gas`: gas per request for request + assignment + fulfil at batch sizes 1, 8 and
 * 32 (requests paid from a deposit with the requester's signature: the request itself costs no
 * transaction), the verifier's own cost reported apart and excluded from `lifecycle_*`; plus market
 * creation, collateral deposit, slash, cancel, claim and renew. Measured in steady state: accounts
 * already hold balances (a first-ever payment to an account pays 20k more for a fresh slot).
 * Real verifiers: every shipped circuit and scheme (chain/contracts/verifiers), with a real proof.
 */

import { join } from "node:path";
import { getBytes, Interface } from "ethers";
import { artifactsOf, CIRCUITS, CIRCUITS_DIR } from "../../chain/circuits/circuits.js";
import { sampleInputs } from "../../chain/circuits/sample-inputs.js";
import { ACCEPT, COLLATERAL, type DevSystem, INPUTS, startDevSystem } from "../../chain/dev-system.js";
import { waitForReceipt } from "../../chain/receipt.js";
import { deployVerifier } from "../../chain/verifiers.js";
import { loadMarketFile } from "../../node/prover/market-file.js";
import { SnarkjsBackend } from "../../node/prover/snarkjs-backend.js";
import { releaseSnarkjs } from "../../node/prover/verify.js";
import { type Address, type Hex32, keccak, toHex } from "../../protocol/index.js";
import type { Metric, Suite } from "./metric.js";

const BATCH_SIZES = [1, 8, 32] as const;
/** Targets from issue 4 and the reference figures it quotes (not measured here). */
const TARGET = { single: 150_000, batch32: 60_000 };
const REFERENCE = { kalypsoPerRequest: 642_188, boundlessLockPlusFulfil: 149_000 + 117_000 };

/** A verifier to price: its address and a (publicInputs, proof) pair it accepts. */
interface VerifierCase {
  name: string;
  address: Address;
  publicInputs: Uint8Array;
  proof: Uint8Array;
}

/**
 * Real verifiers (Groth16, PLONK) from chain/contracts/verifiers, each with a proof of the committed
 * circuit; each gets its own `lifecycle_*_<circuit>_<scheme>` metrics.
 */
async function realVerifiers(s: DevSystem): Promise<VerifierCase[]> {
  const backend = new SnarkjsBackend();
  const cases: VerifierCase[] = [];
  try {
    for (const circuit of CIRCUITS) {
      for (const scheme of circuit.schemes) {
        const market = await loadMarketFile(join(CIRCUITS_DIR, "markets", `${circuit.name}-${scheme}.json`));
        const result = await backend.prove(market, sampleInputs(circuit.name, 7n));
        const address = await deployVerifier(
          await s.signer("owner"),
          artifactsOf(circuit, scheme).wrapperContract,
        );
        const name = `${circuit.name.replaceAll("-", "_")}_${scheme}`;
        cases.push({ name, address, publicInputs: result.publicInputs, proof: result.proof });
      }
    }
  } finally {
    await backend.stop();
    await releaseSnarkjs();
  }
  return cases;
}

function calldataGas(data: Uint8Array): number {
  let g = 0;
  for (const b of data) g += b === 0 ? 4 : 16;
  return g;
}

/**
 * Execution gas of verify(): a verify transaction's gas used minus the transaction base and its
 * calldata. From a receipt, not eth_estimateGas: the real verifiers demand a gas floor up front
 * (chain/circuits/README.md), which an estimate would report instead of the cost.
 */
async function verifierGas(s: DevSystem, v: VerifierCase): Promise<number> {
  const iface = new Interface(["function verify(bytes,bytes) view returns (bool)"]);
  const data = iface.encodeFunctionData("verify", [v.publicInputs, v.proof]);
  const tx = await (await s.signer("owner")).sendTransaction({ to: v.address, data, gasLimit: 2_000_000n });
  const receipt = await waitForReceipt(s.chain.provider, tx);
  return Number(receipt.gasUsed) - 21_000 - calldataGas(getBytes(data));
}

async function lifecycle(s: DevSystem, v: VerifierCase, marketId: number, n: number) {
  const market = await s.market("other");
  const entries = [];
  const q = await s.quote({ marketId });
  for (let i = 0; i < n; i++) {
    const r = await s.request({ marketId, inputsHash: toHex(keccak(v.publicInputs)) as Hex32 });
    entries.push({ request: s.signedRequest(r), quote: q });
  }
  const receipt = await market.assign(await s.batch(entries));
  const records = market.assignedIn(receipt);
  const proofs = records.map((record) => ({ record, publicInputs: v.publicInputs, proof: v.proof }));
  const prover = await s.market("prover");
  const f = n === 1 ? await prover.fulfil(proofs[0]!) : await prover.fulfilBatch(proofs);
  return { assign: Number(receipt.gasUsed), fulfil: Number(f.gasUsed) };
}

const suite: Suite = async (emit: (m: Metric) => void) => {
  const s = await startDevSystem({ idleMineIntervalMs: 0 });
  try {
    const g = (name: string, value: number, params: Record<string, unknown> = {}) =>
      emit({ name: `gas.${name}`, value, unit: "gas", params });
    const requester = await s.market("requester");
    const prover = await s.market("prover");
    await requester.deposit(10n ** 19n);
    const firstCollateral = await prover.depositCollateral(1000n * COLLATERAL);
    g("collateral_deposit_first", Number(firstCollateral.gasUsed));
    g("collateral_deposit", Number((await prover.depositCollateral(COLLATERAL)).gasUsed));

    const trivial: VerifierCase = {
      name: "test",
      address: s.d.testVerifier!,
      publicInputs: INPUTS,
      proof: ACCEPT,
    };
    const cases = [trivial, ...(await realVerifiers(s))];
    for (const v of cases) {
      const created = await s.d.marketplace.createMarket(
        {
          verifier: v.address,
          collateralPerRequest: COLLATERAL,
          minProvingTime: 10,
          maxProvingTime: 3600,
          requiresTee: false,
        },
        v.publicInputs,
        v.proof,
      );
      const suffix = v === trivial ? "" : `_${v.name}`;
      g(`market_create${suffix}`, Number(created.receipt.gasUsed), { verifier: v.name });
      const vg = await verifierGas(s, v);
      g(`verifier${suffix || "_test"}`, vg, { verifier: v.name, note: "execution gas of one verify() call" });
      // Warm-up: the prover's balance slot and the market's first use, so figures are steady state.
      await lifecycle(s, v, created.marketId, 1);
      for (const n of BATCH_SIZES) {
        const { assign, fulfil } = await lifecycle(s, v, created.marketId, n);
        const perRequest = Math.round((assign + fulfil - n * vg) / n);
        const name = n === 1 ? `lifecycle_single${suffix}` : `lifecycle_batch_${n}${suffix}`;
        g(name, perRequest, {
          verifier: v.name,
          batch: n,
          verifierExcluded: vg,
          assignPerRequest: Math.round(assign / n),
          fulfilPerRequest: Math.round(fulfil / n),
          target: n === 1 ? TARGET.single : n === 32 ? TARGET.batch32 : undefined,
          reference: REFERENCE,
        });
      }
    }

    // On-chain request path (a contract requester): submit + assign + fulfil.
    {
      const r = await s.request();
      const submit = await requester.submitRequest(r);
      const q = await s.quote();
      const a = await (await s.market("other")).assign(
        await s.batch([{ request: { request: r, paidOnChain: true }, quote: q }]),
      );
      const [rec] = s.d.marketplace.assignedIn(a);
      const f = await prover.fulfil({ record: rec!, publicInputs: INPUTS, proof: ACCEPT });
      const vg = await verifierGas(s, trivial);
      g("lifecycle_single_onchain_request", Number(submit.gasUsed + a.gasUsed + f.gasUsed) - vg, {
        submit: Number(submit.gasUsed),
        assign: Number(a.gasUsed),
        fulfil: Number(f.gasUsed),
      });
    }
    // Slash: assign one, let its deadline pass, slash.
    {
      const r = await s.request();
      const a = await (await s.market("other")).assign(
        await s.batch([{ request: s.signedRequest(r), quote: await s.quote() }]),
      );
      const [rec] = s.d.marketplace.assignedIn(a);
      await s.chain.increaseTime(rec!.deadline - (await s.chain.now()) + 1);
      g("slash", Number((await (await s.market("other")).slash(rec!)).gasUsed));
    }
    // Cancel: of a signed (never on-chain) request, and of an on-chain request with its refund.
    {
      const r = await s.request();
      g("cancel", Number((await requester.cancel(r)).gasUsed), { path: "signed request, by the requester" });
      const r2 = await s.request();
      await requester.submitRequest(r2);
      g("cancel_onchain_request", Number((await requester.cancel(r2)).gasUsed), {
        path: "on-chain request, refunded",
      });
    }
    // Lease: the slash above let the lease expire; the second matcher claims, then renews.
    {
      const lease = await s.d.registry.lease();
      const now = await s.chain.now();
      if (now < lease.expiresAt) await s.chain.increaseTime(lease.expiresAt - now);
      g("claim", Number((await (await s.registry("matcher2")).claim()).gasUsed));
      g("renew", Number((await (await s.registry("matcher2")).renew()).gasUsed));
    }
  } finally {
    await s.chain.stop();
  }
};

export default suite;

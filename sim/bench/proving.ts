/**
 * `npm run bench -- proving [runs]`: for every shipped circuit and scheme,
 *   proving.<circuit>.<scheme>.prove_ms   median wall time of SnarkjsBackend.prove (in its worker
 *                                         thread, snarkjs' thread pool), with snarkjs' fullProve on
 *                                         the main thread as the baseline (the worker's overhead);
 *   proving.<circuit>.<scheme>.verify_gas gas of a verify(publicInputs, proof) call on the wrapper
 *                                         (eth_estimateGas: includes the 21,000 base and calldata).
 */
import { join } from "node:path";
import { Contract } from "ethers";
import * as snarkjs from "snarkjs";
import { artifactsOf, CIRCUITS, CIRCUITS_DIR } from "../../chain/circuits/circuits.js";
import { sampleInputs } from "../../chain/circuits/sample-inputs.js";
import { minGas } from "../../chain/circuits/solidity.js";
import { compileVerifiers, DevChain, deployVerifier, waitForReceipt } from "../../chain/index.js";
import type { ProofResult } from "../../node/prover/backend.js";
import { loadMarketFile } from "../../node/prover/market-file.js";
import { SnarkjsBackend } from "../../node/prover/snarkjs-backend.js";
import { releaseSnarkjs, verifyInJs } from "../../node/prover/verify.js";
import { toHex } from "../../protocol/bytes.js";
import { countArg, median, type Suite, sig } from "./metric.js";

const DEFAULT_RUNS = 5;

const suite: Suite = async (emit, args) => {
  const runs = countArg(args, 0, "runs", DEFAULT_RUNS);
  const backend = new SnarkjsBackend();
  const chain = await DevChain.start({ idleMineIntervalMs: 0 });
  const signer = await chain.provider.getSigner(0);
  try {
    for (const circuit of CIRCUITS) {
      for (const scheme of circuit.schemes) {
        const a = artifactsOf(circuit, scheme);
        const market = await loadMarketFile(join(CIRCUITS_DIR, "markets", `${circuit.name}-${scheme}.json`));
        const params = { circuit: circuit.name, scheme, runs, publicSignals: circuit.publicSignals.length };
        const system = scheme === "groth16" ? snarkjs.groth16 : snarkjs.plonk;

        // One warm-up each: the first proof pays for worker start and wasm compilation.
        let result: ProofResult = await backend.prove(market, sampleInputs(circuit.name, 1n));
        await system.fullProve(sampleInputs(circuit.name, 1n), a.wasm, a.zkey);
        const times: number[] = [];
        const baseline: number[] = [];
        for (let i = 0; i < runs; i++) {
          const inputs = sampleInputs(circuit.name, BigInt(i + 2));
          let t = performance.now();
          result = await backend.prove(market, inputs);
          times.push(performance.now() - t);
          t = performance.now();
          await system.fullProve(inputs, a.wasm, a.zkey);
          baseline.push(performance.now() - t);
        }
        if (!(await verifyInJs(market, result)))
          throw new Error(`${market.name}: benchmark proof does not verify`);
        const value = sig(median(times));
        const base = sig(median(baseline));
        emit({
          name: `proving.${circuit.name}.${scheme}.prove_ms`,
          value,
          unit: "ms",
          baseline: base,
          ratio: sig(value / base, 3),
          params: { ...params, baselineIs: "snarkjs fullProve on the main thread" },
        });

        const abi = compileVerifiers()[a.wrapperContract]!.abi as never;
        const verifier = new Contract(await deployVerifier(signer, a.wrapperContract), abi, chain.provider);
        const pub = toHex(result.publicInputs);
        const proof = toHex(result.proof);
        if (!(await verifier.verify!(pub, proof))) throw new Error(`${market.name}: rejected on-chain`);
        // Gas actually used, from a receipt: eth_estimateGas would report the wrapper's MIN_GAS floor.
        const data = verifier.interface.encodeFunctionData("verify", [pub, proof]);
        const tx = await signer.sendTransaction({
          to: await verifier.getAddress(),
          data,
          gasLimit: 2_000_000n,
        });
        const receipt = await waitForReceipt(chain.provider, tx);
        emit({
          name: `proving.${circuit.name}.${scheme}.verify_gas`,
          value: Number(receipt.gasUsed),
          unit: "gas",
          params: {
            ...params,
            proofBytes: result.proof.length,
            includes: "21000 base + calldata",
            minGas: minGas(scheme, params.publicSignals),
          },
        });
      }
    }
  } finally {
    await backend.stop();
    await chain.stop();
    await releaseSnarkjs();
  }
};

export default suite;

/**
 * Checks a proof in JS with snarkjs, against the market's verification key: what the on-chain
 * verifier will say, without a chain. For provers to check their output before submitting it.
 */
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import type { ProofResult } from "./backend.js";
import { ProverError } from "./errors.js";
import type { MarketDescription } from "./market-file.js";
import { decodeProof, decodePublicInputs } from "./proof-encoding.js";

/** True if `result` verifies under `market.vkey`; malformed bytes are false, not an error. */
export async function verifyInJs(
  market: MarketDescription,
  result: ProofResult,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  const scheme = market.scheme;
  if (!market.vkey || (scheme !== "groth16" && scheme !== "plonk")) {
    throw new ProverError(
      "PROVER_UNSUPPORTED",
      `market ${market.name}: no vkey or not a groth16/plonk market`,
    );
  }
  const vkey = JSON.parse(
    await readFile(market.vkey, { encoding: "utf8", signal: options.signal }),
  ) as unknown;
  const nPublic = market.inputs.filter((s) => s.public).reduce((n, s) => n + (s.length ?? 1), 0);
  let proof: unknown;
  let signals: string[];
  try {
    proof = decodeProof(scheme, result.proof);
    signals = decodePublicInputs(result.publicInputs, nPublic);
  } catch {
    return false;
  }
  // snarkjs logs to the console unless given a logger; a silent one keeps node logs clean.
  const system = scheme === "groth16" ? snarkjs.groth16 : snarkjs.plonk;
  return system.verify(vkey, signals, proof, SILENT);
}

const quiet = () => undefined;
const SILENT = { error: quiet, warn: quiet, info: quiet, debug: quiet };

/**
 * Ends the curve threads snarkjs starts on this thread for `verifyInJs` (STACK.md pitfall 8): call
 * at shutdown, or the process does not exit.
 */
export async function releaseSnarkjs(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } };
  const curve = g.curve_bn128;
  g.curve_bn128 = undefined;
  await curve?.terminate();
}

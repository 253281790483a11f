/**
 * Between snarkjs' JSON proofs and the bytes the Solidity wrappers decode. For static arrays of
 * uint256, `abi.encode` is the words back to back, so that is what this writes and reads.
 * Layouts: chain/circuits/README.md.
 */
import { PROOF_WORDS, type Scheme } from "../../chain/circuits/circuits.js";

export { PROOF_WORDS };

import { concat, fromHex, toHex } from "../../protocol/bytes.js";
import { ProverError } from "./errors.js";

/** The proof systems whose proofs this module encodes. */
export type SnarkScheme = Scheme;

/** BN254 scalar field order: every public input must be below it. */
export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

const PLONK_POINTS = ["A", "B", "C", "Z", "T1", "T2", "T3", "Wxi", "Wxiw"] as const;
const PLONK_EVALS = ["eval_a", "eval_b", "eval_c", "eval_s1", "eval_s2", "eval_zw"] as const;

type Json = Record<string, unknown>;

function word(v: unknown, what: string): Uint8Array {
  let n: bigint;
  try {
    n = BigInt(v as string);
  } catch {
    throw new ProverError("PROVER_BAD_OUTPUT", `${what} is not an integer: ${String(v).slice(0, 40)}`);
  }
  if (n < 0n || n >= 1n << 256n)
    throw new ProverError("PROVER_BAD_OUTPUT", `${what} does not fit in uint256`);
  return fromHex(`0x${n.toString(16).padStart(64, "0")}`);
}

function words(bytes: Uint8Array, n: number, what: string): string[] {
  if (bytes.length !== 32 * n) {
    throw new ProverError("PROVER_BAD_OUTPUT", `${what} is ${bytes.length} bytes, expected ${32 * n}`);
  }
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(BigInt(toHex(bytes.subarray(32 * i, 32 * i + 32))).toString());
  return out;
}

function at(obj: unknown, path: (string | number)[]): unknown {
  let v: unknown = obj;
  for (const k of path)
    v = v != null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** snarkjs public signals (decimal strings) to `abi.encode(uint256[N])`. */
export function encodePublicInputs(signals: readonly (string | bigint)[]): Uint8Array {
  return concat(
    signals.map((s, i) => {
      const w = word(s, `publicSignals[${i}]`);
      if (BigInt(s) >= BN254_R)
        throw new ProverError("PROVER_BAD_OUTPUT", `publicSignals[${i}] >= field order`);
      return w;
    }),
  );
}

/** `abi.encode(uint256[n])` back to decimal strings, as snarkjs' verify takes them. */
export function decodePublicInputs(bytes: Uint8Array, n: number): string[] {
  return words(bytes, n, "publicInputs");
}

/** A snarkjs proof object to the bytes the scheme's wrapper decodes. */
export function encodeProof(scheme: SnarkScheme, proof: unknown): Uint8Array {
  const w = (path: (string | number)[]) => word(at(proof, path), `proof.${path.join(".")}`);
  if (scheme === "groth16") {
    // b's coordinates swap within each pair: the precompile takes Fp2 elements as (c1, c0).
    return concat([
      w(["pi_a", 0]),
      w(["pi_a", 1]),
      w(["pi_b", 0, 1]),
      w(["pi_b", 0, 0]),
      w(["pi_b", 1, 1]),
      w(["pi_b", 1, 0]),
      w(["pi_c", 0]),
      w(["pi_c", 1]),
    ]);
  }
  return concat([...PLONK_POINTS.flatMap((p) => [w([p, 0]), w([p, 1])]), ...PLONK_EVALS.map((e) => w([e]))]);
}

/** Encoded proof bytes back to the snarkjs object its `verify` takes. */
export function decodeProof(scheme: SnarkScheme, bytes: Uint8Array): Json {
  const x = words(bytes, PROOF_WORDS[scheme], `${scheme} proof`);
  if (scheme === "groth16") {
    return {
      protocol: "groth16",
      curve: "bn128",
      pi_a: [x[0], x[1], "1"],
      pi_b: [
        [x[3], x[2]],
        [x[5], x[4]],
        ["1", "0"],
      ],
      pi_c: [x[6], x[7], "1"],
    };
  }
  const out: Json = { protocol: "plonk", curve: "bn128" };
  PLONK_POINTS.forEach((p, i) => {
    out[p] = [x[2 * i], x[2 * i + 1], "1"];
  });
  PLONK_EVALS.forEach((e, i) => {
    out[e] = x[18 + i];
  });
  return out;
}

/**
 * Circuit inputs checked against a market's input schema before any prover sees them, so a bad
 * request fails with the signal's name instead of deep inside a witness generator.
 */

import { ProverError } from "./errors.js";
import { BN254_R, encodePublicInputs } from "./proof-encoding.js";

/** One field element: a bigint, a non-negative safe integer, or a decimal or 0x-hex string. */
export type FieldValue = bigint | number | string;

/** Inputs by signal name: a field element, or an array of them for array signals. */
export type CircuitInputs = Record<string, FieldValue | readonly FieldValue[]>;

/** One input signal of a circuit, as a market file declares it. */
export interface InputSignal {
  name: string;
  /** Part of the public inputs the verifier sees (in schema order); otherwise private. */
  public: boolean;
  /** Array length for array signals; absent for a single field element. */
  length?: number;
}

/** Inputs as snarkjs and circom's input.json take them: decimal strings. */
export type CheckedInputs = Record<string, string | string[]>;

function field(v: unknown, where: string): string {
  let n: bigint;
  if (typeof v === "bigint") n = v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) n = BigInt(v);
  else if (typeof v === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) n = BigInt(v);
  else {
    const shown = typeof v === "string" ? JSON.stringify(v.slice(0, 40)) : typeof v;
    throw new ProverError("PROVER_BAD_INPUT", `${where}: expected a field element, got ${shown}`);
  }
  if (n < 0n || n >= BN254_R)
    throw new ProverError("PROVER_BAD_INPUT", `${where}: ${n} is outside the BN254 field`);
  return n.toString();
}

/** Checks `inputs` against `schema` (every signal present, right shape, in the field, nothing extra). */
export function checkInputs(schema: readonly InputSignal[], inputs: unknown): CheckedInputs {
  if (inputs === null || typeof inputs !== "object" || Array.isArray(inputs)) {
    throw new ProverError("PROVER_BAD_INPUT", "inputs: expected an object of signal name to value");
  }
  const given = inputs as Record<string, unknown>;
  const out: CheckedInputs = {};
  for (const s of schema) {
    const v = given[s.name];
    const where = `inputs.${s.name}`;
    if (v === undefined) throw new ProverError("PROVER_BAD_INPUT", `${where}: missing`);
    if (s.length === undefined) {
      out[s.name] = field(v, where);
    } else {
      if (!Array.isArray(v) || v.length !== s.length) {
        const got = Array.isArray(v) ? `${v.length} elements` : typeof v;
        throw new ProverError(
          "PROVER_BAD_INPUT",
          `${where}: expected ${s.length} field elements, got ${got}`,
        );
      }
      out[s.name] = v.map((x, i) => field(x, `${where}[${i}]`));
    }
  }
  for (const k of Object.keys(given)) {
    if (!schema.some((s) => s.name === k)) {
      throw new ProverError("PROVER_BAD_INPUT", `inputs.${k}: not a signal of this circuit`);
    }
  }
  return out;
}

/** The public signals among checked inputs, flattened in schema order (the verifier's order). */
export function publicSignalsOf(schema: readonly InputSignal[], inputs: CheckedInputs): string[] {
  return schema.filter((s) => s.public).flatMap((s) => inputs[s.name]!);
}

/**
 * The public inputs of `inputs` as the market's verifier takes them (`abi.encode(uint256[N])`):
 * what a requester commits to in a request, and what a prover's `ProofResult.publicInputs` must equal.
 */
export function encodeInputsPublic(schema: readonly InputSignal[], inputs: unknown): Uint8Array {
  return encodePublicInputs(publicSignalsOf(schema, checkInputs(schema, inputs)));
}

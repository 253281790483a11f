/**
 * How an assignment's bytes become the circuit inputs a backend takes. The demo convention for the
 * snarkjs markets:
 * - `inputs` (the request's public inputs) are exactly what the verifier takes: `abi.encode(uint256[N])`
 *   of the market's public signals in schema order (docs/PROTOCOL.md "Inputs");
 * - `secret` (the witness) is UTF-8 JSON of ALL the circuit's inputs by signal name, public ones
 *   included (`{"hash": "...", "preimage": "..."}`), and must give exactly the public inputs:
 *   `encodeInputsPublic(schema, witness) == inputs`, or the assignment is refused;
 * - a market whose inputs are all public needs no witness: the signals are decoded from `inputs`.
 */
import { bytesEqual } from "../../protocol/bytes.js";
import type { CircuitInputs, InputSignal } from "../prover/inputs.js";
import { encodeInputsPublic } from "../prover/inputs.js";
import { decodePublicInputs } from "../prover/proof-encoding.js";
import { ProverRoleError } from "./prover-errors.js";

/** The witness bytes a requester sends for `inputs` under the demo convention. */
export function encodeWitness(inputs: CircuitInputs): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(inputs, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
  );
}

/** The circuit inputs of an assignment, checked against the public inputs the request committed to. */
export function circuitInputsOf(
  schema: readonly InputSignal[],
  publicInputs: Uint8Array,
  witness: Uint8Array | undefined,
): CircuitInputs {
  if (!witness || witness.length === 0) {
    if (schema.some((s) => !s.public)) {
      throw new ProverRoleError(
        "ASSIGNMENT_INPUTS_MISMATCH",
        "the market has private inputs but the request carries no witness",
      );
    }
    const width = schema.reduce((n, s) => n + (s.length ?? 1), 0);
    let words: string[];
    try {
      words = decodePublicInputs(publicInputs, width);
    } catch (cause) {
      throw new ProverRoleError(
        "ASSIGNMENT_INPUTS_MISMATCH",
        `public inputs are ${publicInputs.length} bytes, not ${width} words`,
        { cause },
      );
    }
    const out: Record<string, string | string[]> = {};
    let i = 0;
    for (const s of schema) {
      const n = s.length ?? 1;
      out[s.name] = s.length === undefined ? words[i]! : words.slice(i, i + n);
      i += n;
    }
    return out;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(witness));
  } catch {
    // No cause: JSON.parse's message quotes the text, and a witness must never reach a log line.
    throw new ProverRoleError("ASSIGNMENT_INPUTS_MISMATCH", "the witness is not UTF-8 JSON");
  }
  let derived: Uint8Array;
  try {
    derived = encodeInputsPublic(schema, parsed);
  } catch (cause) {
    const why = (cause as Error).message;
    throw new ProverRoleError("ASSIGNMENT_INPUTS_MISMATCH", `the witness does not fit the market: ${why}`, {
      cause,
    });
  }
  // The proof is checked on-chain against the committed inputs: proving anything else is wasted work.
  if (!bytesEqual(derived, publicInputs)) {
    throw new ProverRoleError(
      "ASSIGNMENT_INPUTS_MISMATCH",
      "the witness's public signals differ from the public inputs the request committed to",
    );
  }
  return parsed as CircuitInputs;
}

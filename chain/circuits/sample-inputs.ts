/**
 * Valid inputs for the shipped circuits, computed with a JS Poseidon that matches circomlib's
 * (noble's Grain-LFSR constants, x^5 S-box, 8 full rounds): for tests, the benchmark and demos.
 */
import { Field } from "@noble/curves/abstract/modular.js";
import { grainGenConstants, poseidon } from "@noble/curves/abstract/poseidon.js";

const Fr = Field(21888242871839275222246405745257275088548364400416034343698204186575808495617n);
/** circomlib's partial rounds by state width t. */
const PARTIAL_ROUNDS: Record<number, number> = { 2: 56, 3: 57 };
const permutations = new Map<number, (s: bigint[]) => bigint[]>();

/** circomlib's `Poseidon(n)` for n = 1 or 2 inputs. */
export function poseidonHash(inputs: readonly bigint[]): bigint {
  const t = inputs.length + 1;
  const roundsPartial = PARTIAL_ROUNDS[t];
  if (!roundsPartial) throw new Error(`poseidonHash: ${inputs.length} inputs not supported`);
  let perm = permutations.get(t);
  if (!perm) {
    const c = grainGenConstants({ Fp: Fr, t, roundsFull: 8, roundsPartial });
    perm = poseidon({ ...c, Fp: Fr, t, roundsFull: 8, roundsPartial, sboxPower: 5 });
    permutations.set(t, perm);
  }
  return perm([0n, ...inputs])[0]!;
}

/** Depth of the shipped merkle-membership circuit. */
export const MERKLE_DEPTH = 4;

/** Inputs of poseidon-preimage: `hash` public, `preimage` private. */
export function poseidonPreimageInputs(preimage: bigint): { hash: string; preimage: string } {
  return { hash: poseidonHash([preimage]).toString(), preimage: preimage.toString() };
}

/** Inputs of merkle-membership for leaf `index` of a tree of leaves `seed, seed+1, ...`. */
export function merkleMembershipInputs(
  seed: bigint,
  index: number,
): { root: string; leaf: string; pathElements: string[]; pathIndices: string[] } {
  let level = Array.from({ length: 2 ** MERKLE_DEPTH }, (_, i) => seed + BigInt(i));
  const leaf = level[index]!;
  const pathElements: string[] = [];
  const pathIndices: string[] = [];
  let i = index;
  for (let d = 0; d < MERKLE_DEPTH; d++) {
    pathElements.push(level[i ^ 1]!.toString());
    pathIndices.push(String(i & 1));
    level = Array.from({ length: level.length / 2 }, (_, j) =>
      poseidonHash([level[2 * j]!, level[2 * j + 1]!]),
    );
    i >>= 1;
  }
  return { root: level[0]!.toString(), leaf: leaf.toString(), pathElements, pathIndices };
}

/** Sample inputs for a shipped circuit by name, varied by `seed`. */
export function sampleInputs(circuit: string, seed = 1n): Record<string, string | string[]> {
  if (circuit === "poseidon-preimage") return poseidonPreimageInputs(seed);
  if (circuit === "merkle-membership") return merkleMembershipInputs(seed, Number(seed % 16n));
  throw new Error(`no sample inputs for circuit "${circuit}"`);
}

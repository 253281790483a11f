/**
 * The demo circuits shipped with Kalypso and where their artifacts live. The build script, the
 * tests and the proving benchmark all read this one list, so a new circuit is one entry here plus
 * its circom source in `src/`.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A proving system whose Solidity verifier snarkjs can generate. */
export type Scheme = "groth16" | "plonk";

/** 32-byte words in an ABI-encoded proof, per scheme (layouts: chain/circuits/README.md). */
export const PROOF_WORDS: Record<Scheme, number> = { groth16: 8, plonk: 24 };

/** One circom circuit and the schemes it is set up for. */
export interface CircuitSpec {
  /** kebab-case name: `src/<name>.circom` and the artifact file names. */
  name: string;
  /** PascalCase stem of the Solidity contract names: `<Contract><Scheme>` and `...Verifier`. */
  contract: string;
  /**
   * circom optimisation level. O2 folds linear constraints (fewer Groth16 constraints, but longer
   * PLONK gates); O1 keeps PLONK small. Chosen per circuit so each fits the 2^10 dev setup.
   */
  optimization: "O1" | "O2";
  schemes: readonly Scheme[];
  /** Public signals in the order the verifier takes them (circom: outputs, then public inputs). */
  publicSignals: readonly string[];
}

/** Every shipped circuit. */
export const CIRCUITS: readonly CircuitSpec[] = [
  {
    name: "poseidon-preimage",
    contract: "PoseidonPreimage",
    optimization: "O1",
    schemes: ["groth16", "plonk"],
    publicSignals: ["hash"],
  },
  {
    // PLONK at depth 4 needs over 2^11 gates (9,914 after O2 folding): a key of several MB, too big
    // to commit for a demo, so Groth16 only.
    name: "merkle-membership",
    contract: "MerkleMembership",
    optimization: "O2",
    schemes: ["groth16"],
    publicSignals: ["root", "leaf"],
  },
];

/** Power of two of the committed dev powers-of-tau: the largest circuit has < 2^10 constraints. */
export const PTAU_POWER = 10;

/** The folder of this file: `chain/circuits/`. */
export const CIRCUITS_DIR = dirname(fileURLToPath(import.meta.url));

/** Committed artifacts: the dev ptau, witness generators, proving and verification keys. */
export const ARTIFACTS_DIR = join(CIRCUITS_DIR, "artifacts");

/** Generated Solidity: the snarkjs verifiers and their `IProofVerifier` wrappers. */
export const VERIFIERS_DIR = join(CIRCUITS_DIR, "..", "contracts", "verifiers");

/** File paths of one circuit's artifacts for one scheme. */
export interface CircuitArtifacts {
  wasm: string;
  zkey: string;
  vkey: string;
  /** The generated snarkjs verifier (contract `<Contract><Scheme>Verifier`). */
  verifierSol: string;
  /** The `IProofVerifier` wrapper (contract `<Contract><Scheme>`). */
  wrapperSol: string;
  verifierContract: string;
  wrapperContract: string;
}

/** Where a build writes: the committed folders, or elsewhere to check a rebuild against them. */
export interface OutputDirs {
  artifacts: string;
  verifiers: string;
}

/** The committed output folders. */
export const COMMITTED_DIRS: OutputDirs = { artifacts: ARTIFACTS_DIR, verifiers: VERIFIERS_DIR };

/** Where the artifacts of `circuit` under `scheme` live (in `dirs`, the committed ones by default). */
export function artifactsOf(
  circuit: CircuitSpec,
  scheme: Scheme,
  dirs: OutputDirs = COMMITTED_DIRS,
): CircuitArtifacts {
  const wrapperContract = `${circuit.contract}${scheme === "groth16" ? "Groth16" : "Plonk"}`;
  const verifierContract = `${wrapperContract}Verifier`;
  return {
    wasm: join(dirs.artifacts, `${circuit.name}.wasm`),
    zkey: join(dirs.artifacts, `${circuit.name}.${scheme}.zkey`),
    vkey: join(dirs.artifacts, `${circuit.name}.${scheme}.vkey.json`),
    verifierSol: join(dirs.verifiers, `${verifierContract}.sol`),
    wrapperSol: join(dirs.verifiers, `${wrapperContract}.sol`),
    verifierContract,
    wrapperContract,
  };
}

/** The dev-only powers-of-tau file (see chain/circuits/README.md: not a production ceremony). */
export const PTAU_FILE = join(ARTIFACTS_DIR, `dev-bn254-${PTAU_POWER}.ptau`);

/** Look a circuit up by name. */
export function circuitByName(name: string): CircuitSpec {
  const c = CIRCUITS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown circuit "${name}"; known: ${CIRCUITS.map((x) => x.name).join(", ")}`);
  return c;
}

/**
 * Rebuilds every circuit artifact from source: `npm run circuits:build [-- --ptau]`.
 *
 *   src/<name>.circom --circom2--> build/<name>.r1cs, artifacts/<name>.wasm
 *   + artifacts/dev-bn254-10.ptau --snarkjs--> artifacts/<name>.<scheme>.zkey, .vkey.json
 *   --snarkjs templates--> chain/contracts/verifiers/<Contract><Scheme>Verifier.sol + wrapper
 *
 * Every step is deterministic (the Groth16 phase-2 contribution is a fixed beacon; PLONK has no
 * phase 2), so a rebuild reproduces the committed files byte for byte. `--ptau` also regenerates
 * the dev powers of tau (about 20 s at 2^10: a fixed beacon on a fresh accumulator, then
 * `prepare phase2`). That file is a dev-only setup, not a ceremony: anyone can recompute its toxic
 * waste from the beacon, so never use these keys for anything of value.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as snarkjs from "snarkjs";
import {
  ARTIFACTS_DIR,
  artifactsOf,
  CIRCUITS,
  CIRCUITS_DIR,
  type CircuitSpec,
  PTAU_FILE,
  PTAU_POWER,
  VERIFIERS_DIR,
} from "./circuits.js";
import { generateVerifierSol, generateWrapperSol } from "./solidity.js";
import { trimPoseidonConstants } from "./trim-poseidon.js";

const require = createRequire(import.meta.url);
const BUILD_DIR = join(CIRCUITS_DIR, "build");

/** Public, fixed beacon: reproducibility matters here, secrecy does not (dev setup only). */
const BEACON_HASH = "6b616c7970736f2064657620736574757020e2809420707562206c6963206265";
const BEACON_ITERATIONS_EXP = 10;

/** The Poseidon widths the shipped circuits use (t = inputs + 1). */
const POSEIDON_WIDTHS = [2, 3];

function log(msg: string): void {
  console.log(`[circuits] ${msg}`);
}

/** circom's Poseidon pulls in constants for every width (1.6 MB of wasm); keep only ours. */
async function writeTrimmedCircomlib(): Promise<string> {
  const lib = join(BUILD_DIR, "lib");
  const src = join(dirname(require.resolve("circomlib/package.json")), "circuits");
  const dst = join(lib, "circomlib", "circuits");
  await mkdir(dst, { recursive: true });
  await copyFile(join(src, "poseidon.circom"), join(dst, "poseidon.circom"));
  const constants = await readFile(join(src, "poseidon_constants.circom"), "utf8");
  await writeFile(join(dst, "poseidon_constants.circom"), trimPoseidonConstants(constants, POSEIDON_WIDTHS));
  return lib;
}

/** Runs circom 2 (the circom2 package's wasm build) in this process. */
async function circom(args: string[]): Promise<void> {
  const { CircomRunner, bindings } = require("circom2") as {
    CircomRunner: new (o: unknown) => { execute(wasm: Uint8Array): Promise<unknown> };
    bindings: Record<string, unknown>;
  };
  // Absolute paths under a "/" preopen: circom2's WASI layer cannot follow "..", and node_modules
  // may be a symlink out of the checkout.
  const runner = new CircomRunner({
    args,
    env: process.env,
    preopens: { "/": "/" },
    bindings: { ...bindings, fs: require("node:fs") },
  });
  await runner.execute(await readFile(require.resolve("circom2/circom.wasm")));
}

async function compile(c: CircuitSpec, lib: string): Promise<string> {
  const out = join(BUILD_DIR, c.name);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const nodeModules = join(dirname(require.resolve("circomlib/package.json")), "..");
  await circom([
    join(CIRCUITS_DIR, "src", `${c.name}.circom`),
    "--r1cs",
    "--wasm",
    `--${c.optimization}`,
    "-l",
    lib,
    "-l",
    nodeModules,
    "-o",
    out,
  ]);
  await copyFile(join(out, `${c.name}_js`, `${c.name}.wasm`), join(ARTIFACTS_DIR, `${c.name}.wasm`));
  return join(out, `${c.name}.r1cs`);
}

async function setup(c: CircuitSpec, r1cs: string): Promise<void> {
  for (const scheme of c.schemes) {
    const a = artifactsOf(c, scheme);
    if (scheme === "groth16") {
      const initial = join(BUILD_DIR, c.name, `${c.name}.groth16.0.zkey`);
      await snarkjs.zKey.newZKey(r1cs, PTAU_FILE, initial);
      await snarkjs.zKey.beacon(initial, a.zkey, "kalypso dev beacon", BEACON_HASH, BEACON_ITERATIONS_EXP);
    } else {
      await snarkjs.plonk.setup(r1cs, PTAU_FILE, a.zkey);
    }
    const vkey = await snarkjs.zKey.exportVerificationKey(a.zkey);
    await writeFile(a.vkey, `${JSON.stringify(vkey, null, 2)}\n`);
    await writeFile(a.verifierSol, await generateVerifierSol(c, scheme));
    await writeFile(a.wrapperSol, generateWrapperSol(c, scheme));
    log(`${c.name} ${scheme}: ${a.zkey}`);
  }
}

async function ptau(): Promise<void> {
  const curve = await snarkjs.curves.getCurveFromName("bn128");
  const tmp = join(BUILD_DIR, "ptau");
  await mkdir(tmp, { recursive: true });
  log(`powers of tau 2^${PTAU_POWER} (slow: prepare phase2)`);
  await snarkjs.powersOfTau.newAccumulator(curve, PTAU_POWER, join(tmp, "0.ptau"));
  await snarkjs.powersOfTau.beacon(
    join(tmp, "0.ptau"),
    join(tmp, "1.ptau"),
    "kalypso dev beacon",
    BEACON_HASH,
    BEACON_ITERATIONS_EXP,
  );
  await snarkjs.powersOfTau.preparePhase2(join(tmp, "1.ptau"), PTAU_FILE);
}

async function main(): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await mkdir(VERIFIERS_DIR, { recursive: true });
  if (process.argv.includes("--ptau")) await ptau();
  const lib = await writeTrimmedCircomlib();
  for (const c of CIRCUITS) {
    log(`compiling ${c.name}`);
    await setup(c, await compile(c, lib));
  }
}

try {
  await main();
} finally {
  // snarkjs keeps its curve's worker threads alive otherwise (STACK.md pitfall 8).
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
}

/**
 * The steps of the circuit build, as functions: compile with circom2, set up keys, export the
 * verification keys and Solidity. `build.ts` is the command; tests call `rebuildCircuits` into a
 * temp folder and compare with the committed files.
 *
 *   src/<name>.circom --circom2--> <build>/<name>/<name>.r1cs, <artifacts>/<name>.wasm
 *   + dev ptau --snarkjs--> <artifacts>/<name>.<scheme>.zkey, .vkey.json
 *   --snarkjs templates--> <verifiers>/<Contract><Scheme>Verifier.sol + <Contract><Scheme>.sol
 *
 * Every step is deterministic (the Groth16 phase-2 contribution is a fixed beacon; PLONK has no
 * phase 2), so a rebuild reproduces the committed files byte for byte.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as snarkjs from "snarkjs";
import {
  artifactsOf,
  CIRCUITS,
  CIRCUITS_DIR,
  type CircuitSpec,
  type OutputDirs,
  PTAU_FILE,
  PTAU_POWER,
} from "./circuits.js";
import { generateVerifierSol, generateWrapperSol } from "./solidity.js";
import { trimPoseidonConstants } from "./trim-poseidon.js";

const require = createRequire(import.meta.url);

/** Scratch space of the build (r1cs, circom's JS, trimmed circomlib); gitignored. */
export const BUILD_DIR = join(CIRCUITS_DIR, "build");

/** Public, fixed beacon: reproducibility matters here, secrecy does not (dev setup only). */
const BEACON_HASH = "6b616c7970736f2064657620736574757020e2809420707562206c6963206265";
const BEACON_ITERATIONS_EXP = 10;

/** The Poseidon widths the shipped circuits use (t = inputs + 1). */
const POSEIDON_WIDTHS = [2, 3];

/** Where `rebuildCircuits` writes and what it reads. */
export interface RebuildOptions {
  out: OutputDirs;
  buildDir: string;
  ptau: string;
  log?: (msg: string) => void;
}

/** circom's Poseidon pulls in constants for every width (1.6 MB of wasm); keep only ours. */
async function writeTrimmedCircomlib(buildDir: string): Promise<string> {
  const lib = join(buildDir, "lib");
  const src = join(dirname(require.resolve("circomlib/package.json")), "circuits");
  const dst = join(lib, "circomlib", "circuits");
  await mkdir(dst, { recursive: true });
  await copyFile(join(src, "poseidon.circom"), join(dst, "poseidon.circom"));
  const constants = await readFile(join(src, "poseidon_constants.circom"), "utf8");
  await writeFile(join(dst, "poseidon_constants.circom"), trimPoseidonConstants(constants, POSEIDON_WIDTHS));
  return lib;
}

/** Runs circom 2 (the circom2 package's wasm build) in this process; its console output is kept
 * and shown only with `echo` or when it fails. */
async function circom(args: string[], echo: boolean): Promise<void> {
  const { CircomRunner, bindings } = require("circom2") as {
    CircomRunner: new (o: unknown) => { execute(wasm: Uint8Array): Promise<unknown> };
    bindings: Record<string, unknown>;
  };
  // Absolute paths under a "/" preopen: circom2's WASI layer cannot follow "..", and node_modules
  // may be a symlink out of the checkout.
  const fs = require("node:fs") as typeof import("node:fs");
  let said = "";
  const quietFs = {
    ...fs,
    writeSync: (fd: number, buf: Uint8Array, offset: number, length: number, position: number | null) => {
      if (fd !== 1 && fd !== 2) return fs.writeSync(fd, buf, offset, length, position);
      said += Buffer.from(buf.subarray(offset, offset + length)).toString("utf8");
      return length;
    },
  };
  const runner = new CircomRunner({
    args,
    env: process.env,
    preopens: { "/": "/" },
    bindings: { ...bindings, fs: quietFs },
  });
  try {
    await runner.execute(await readFile(require.resolve("circom2/circom.wasm")));
  } catch (err) {
    throw new Error(`circom ${args[0]} failed:\n${said}`, { cause: err });
  } finally {
    if (echo) process.stdout.write(said);
  }
}

async function compile(c: CircuitSpec, lib: string, o: RebuildOptions): Promise<string> {
  const out = join(o.buildDir, c.name);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const nodeModules = join(dirname(require.resolve("circomlib/package.json")), "..");
  const src = join(CIRCUITS_DIR, "src", `${c.name}.circom`);
  await circom(
    [src, "--r1cs", "--wasm", `--${c.optimization}`, "-l", lib, "-l", nodeModules, "-o", out],
    !!o.log,
  );
  await copyFile(join(out, `${c.name}_js`, `${c.name}.wasm`), join(o.out.artifacts, `${c.name}.wasm`));
  return join(out, `${c.name}.r1cs`);
}

async function setup(c: CircuitSpec, r1cs: string, o: RebuildOptions): Promise<void> {
  for (const scheme of c.schemes) {
    const a = artifactsOf(c, scheme, o.out);
    if (scheme === "groth16") {
      const initial = join(o.buildDir, c.name, `${c.name}.groth16.0.zkey`);
      await snarkjs.zKey.newZKey(r1cs, o.ptau, initial);
      await snarkjs.zKey.beacon(initial, a.zkey, "kalypso dev beacon", BEACON_HASH, BEACON_ITERATIONS_EXP);
    } else {
      await snarkjs.plonk.setup(r1cs, o.ptau, a.zkey);
    }
    const vkey = await snarkjs.zKey.exportVerificationKey(a.zkey);
    await writeFile(a.vkey, `${JSON.stringify(vkey, null, 2)}\n`);
    await writeFile(a.verifierSol, await generateVerifierSol(c, scheme, a.zkey));
    await writeFile(a.wrapperSol, generateWrapperSol(c, scheme));
    o.log?.(`${c.name} ${scheme}: ${a.zkey}`);
  }
}

/** Compiles every circuit and writes its wasm, keys, vkeys and Solidity into `o.out`. */
export async function rebuildCircuits(o: RebuildOptions): Promise<void> {
  await mkdir(o.out.artifacts, { recursive: true });
  await mkdir(o.out.verifiers, { recursive: true });
  const lib = await writeTrimmedCircomlib(o.buildDir);
  for (const c of CIRCUITS) {
    o.log?.(`compiling ${c.name}`);
    await setup(c, await compile(c, lib, o), o);
  }
}

/**
 * The dev powers of tau: a fixed beacon on a fresh accumulator, then `prepare phase2` (about 20 s
 * at 2^10). Not a ceremony: anyone can recompute its toxic waste from the beacon.
 */
export async function generatePtau(buildDir: string, file = PTAU_FILE): Promise<void> {
  const curve = await snarkjs.curves.getCurveFromName("bn128");
  const tmp = join(buildDir, "ptau");
  await mkdir(tmp, { recursive: true });
  await snarkjs.powersOfTau.newAccumulator(curve, PTAU_POWER, join(tmp, "0.ptau"));
  const [p0, p1] = [join(tmp, "0.ptau"), join(tmp, "1.ptau")];
  await snarkjs.powersOfTau.beacon(p0, p1, "kalypso dev beacon", BEACON_HASH, BEACON_ITERATIONS_EXP);
  await snarkjs.powersOfTau.preparePhase2(p1, file);
}

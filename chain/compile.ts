/**
 * Compiles Kalypso's contracts with solc from npm, cached by a hash of the sources, the compiler
 * version and the settings under `chain/.cache/` (gitignored): a test run compiles only when a
 * contract changed. The generated verifiers under `contracts/verifiers/` are compiled separately
 * (each scheme's generated contract has the same name: STACK.md pitfall 10).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChainError } from "./errors.js";

/** ABI and creation bytecode of one contract. */
export interface Artifact {
  contractName: string;
  abi: readonly unknown[];
  bytecode: string;
  /** Runtime bytecode length in bytes (EIP-170 caps it at 24,576). */
  deployedSize: number;
}

/** Every contract compiled from a set of sources, by name. */
export type Artifacts = Record<string, Artifact>;

interface Solc {
  version(): string;
  compile(input: string, callbacks?: unknown): string;
}

/** Where the contracts live. */
export const CONTRACTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "contracts");
const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), ".cache");

/** Optimizer settings: many runs, because every request pays the runtime cost; via-IR packs better. */
export const SOLC_SETTINGS = {
  optimizer: { enabled: true, runs: 10_000 },
  viaIR: true,
  evmVersion: "cancun",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
} as const;

/** Our sources: `contracts/*.sol` and `contracts/test/*.sol`, by path relative to `contracts/`. */
export function readSources(dir = CONTRACTS_DIR): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ["", "test"]) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) {
      if (f.endsWith(".sol")) out[sub ? `${sub}/${f}` : f] = readFileSync(join(d, f), "utf8");
    }
  }
  return out;
}

let memo: { key: string; artifacts: Artifacts } | undefined;

/**
 * Artifacts for `sources` (default: ours), from the in-process memo, the disk cache, or solc.
 * Throws CHAIN_COMPILE_FAILED with solc's messages when a source does not compile.
 */
export function compileContracts(sources: Record<string, string> = readSources()): Artifacts {
  const require = createRequire(import.meta.url);
  const solc = require("solc") as Solc;
  const hash = createHash("sha256");
  hash.update(solc.version()).update(JSON.stringify(SOLC_SETTINGS));
  for (const [name, text] of Object.entries(sources).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(name).update("\0").update(text).update("\0");
  }
  const key = hash.digest("hex").slice(0, 32);
  if (memo?.key === key) return memo.artifacts;
  const file = join(CACHE_DIR, `solc-${key}.json`);
  let artifacts: Artifacts;
  if (existsSync(file)) {
    artifacts = JSON.parse(readFileSync(file, "utf8")) as Artifacts;
  } else {
    artifacts = runSolc(solc, sources);
    mkdirSync(CACHE_DIR, { recursive: true });
    // Write then rename: a concurrent or interrupted run never reads half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(artifacts));
    renameSync(tmp, file);
  }
  memo = { key, artifacts };
  return artifacts;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<
      string,
      { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
    >
  >;
}

function runSolc(solc: Solc, sources: Record<string, string>): Artifacts {
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(Object.entries(sources).map(([k, content]) => [k, { content }])),
    settings: SOLC_SETTINGS,
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    throw new ChainError("CHAIN_COMPILE_FAILED", errors.map((e) => e.formattedMessage).join("\n"));
  }
  const artifacts: Artifacts = {};
  for (const units of Object.values(output.contracts ?? {})) {
    for (const [contractName, c] of Object.entries(units)) {
      artifacts[contractName] = {
        contractName,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedSize: c.evm.deployedBytecode.object.length / 2,
      };
    }
  }
  return artifacts;
}

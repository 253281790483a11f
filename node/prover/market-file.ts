/**
 * Market description files: what a market creator writes to register a circuit without touching
 * code. JSON, paths relative to the file:
 *
 *   {
 *     "version": 1,
 *     "name": "poseidon-preimage-groth16",
 *     "scheme": "groth16",                     // "groth16" | "plonk" | any name for command provers
 *     "verifier": "0x5FbD...0aa3" | null,      // the IProofVerifier contract; null until deployed
 *     "vkey": "../artifacts/poseidon-preimage.groth16.vkey.json",   // optional: JS self-check
 *     "backend": { "kind": "snarkjs", "wasm": "...wasm", "zkey": "...zkey", "timeoutMs": 60000 },
 *        // or { "kind": "command", "command": "/usr/bin/prover", "args": ["{input}", "{proof}"],
 *        //      "output": "kalypso" | "snarkjs", "timeoutMs": 600000 }
 *     "inputs": [{ "name": "hash", "public": true }, { "name": "preimage" },
 *                { "name": "pathElements", "length": 4 }]
 *   }
 *
 * Public inputs are the `public` entries in file order: the order the verifier takes them.
 */
import { access, readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Address } from "../../protocol/bytes.js";
import { MarketFileError } from "./errors.js";
import type { InputSignal } from "./inputs.js";

/** Proves with snarkjs in a worker thread from a circom wasm and a zkey. */
export interface SnarkjsBackendConfig {
  kind: "snarkjs";
  wasm: string;
  zkey: string;
  /** Kill the proof after this long; default none (a circuit's proving time is its market's business). */
  timeoutMs?: number;
}

/**
 * Runs an external prover. `args` may use `{input}` (the inputs JSON it reads), `{proof}` (the file
 * it writes), `{public}` (public signals file, `snarkjs` output only) and `{dir}` (a fresh temp dir).
 * `output: "kalypso"`: `{proof}` holds `{"proof": "0x..", "publicInputs": "0x.."}`, the verifier's
 * bytes. `output: "snarkjs"`: `{proof}` and `{public}` hold snarkjs' proof.json and public.json
 * (what rapidsnark writes).
 */
export interface CommandBackendConfig {
  kind: "command";
  command: string;
  args: string[];
  output: "kalypso" | "snarkjs";
  timeoutMs: number;
}

/** A loaded, validated market description; every path is absolute. */
export interface MarketDescription {
  version: 1;
  name: string;
  scheme: string;
  verifier: Address | null;
  vkey?: string;
  backend: SnarkjsBackendConfig | CommandBackendConfig;
  inputs: InputSignal[];
}

/** The schemes snarkjs proves and this code encodes; other names need a command backend. */
export const SNARKJS_SCHEMES = ["groth16", "plonk"] as const;

/** A command prover with no `timeoutMs` is killed after 10 minutes: a hung prover must not hold a slot forever. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 600_000;

const MAX_TIMEOUT_MS = 86_400_000;

function bad(field: string, message: string): MarketFileError {
  return new MarketFileError("MARKET_FILE_INVALID", field, `market file: ${field}: ${message}`);
}

type Obj = Record<string, unknown>;

function obj(v: unknown, field: string): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw bad(field, "expected an object");
  return v as Obj;
}

function str(o: Obj, key: string, field: string): string {
  const v = o[key];
  if (typeof v !== "string" || v.length === 0) throw bad(field, "expected a non-empty string");
  return v;
}

function timeout(o: Obj, field: string): number | undefined {
  const v = o.timeoutMs;
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0 || v > MAX_TIMEOUT_MS) {
    throw bad(field, `expected whole milliseconds in 1..${MAX_TIMEOUT_MS}`);
  }
  return v;
}

function parseBackend(v: unknown, scheme: string, baseDir: string): MarketDescription["backend"] {
  const b = obj(v, "backend");
  const snarkScheme = (SNARKJS_SCHEMES as readonly string[]).includes(scheme);
  if (b.kind === "snarkjs") {
    if (!snarkScheme)
      throw bad("backend.kind", `snarkjs proves ${SNARKJS_SCHEMES.join(", ")}, not "${scheme}"`);
    const wasm = resolve(baseDir, str(b, "wasm", "backend.wasm"));
    const zkey = resolve(baseDir, str(b, "zkey", "backend.zkey"));
    const timeoutMs = timeout(b, "backend.timeoutMs");
    return { kind: "snarkjs", wasm, zkey, ...(timeoutMs ? { timeoutMs } : {}) };
  }
  if (b.kind === "command") {
    const command = str(b, "command", "backend.command");
    // A bare name is looked up on PATH; anything with a slash is relative to the market file.
    const resolved = command.includes("/") ? resolve(baseDir, command) : command;
    const args = b.args ?? [];
    if (!Array.isArray(args) || args.some((a) => typeof a !== "string")) {
      throw bad("backend.args", "expected an array of strings");
    }
    const output = b.output ?? "kalypso";
    if (output !== "kalypso" && output !== "snarkjs")
      throw bad("backend.output", `expected "kalypso" or "snarkjs"`);
    if (output === "snarkjs" && !snarkScheme)
      throw bad("backend.output", `snarkjs output needs scheme groth16 or plonk`);
    const timeoutMs = timeout(b, "backend.timeoutMs") ?? DEFAULT_COMMAND_TIMEOUT_MS;
    return { kind: "command", command: resolved, args: args as string[], output, timeoutMs };
  }
  throw bad("backend.kind", `expected "snarkjs" or "command", got ${JSON.stringify(b.kind)}`);
}

function parseInputs(v: unknown): InputSignal[] {
  if (!Array.isArray(v) || v.length === 0) throw bad("inputs", "expected a non-empty array of signals");
  const seen = new Set<string>();
  return v.map((raw, i) => {
    const s = obj(raw, `inputs[${i}]`);
    const name = str(s, "name", `inputs[${i}].name`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw bad(`inputs[${i}].name`, `not a circom signal name: ${name}`);
    if (seen.has(name)) throw bad(`inputs[${i}].name`, `duplicate signal ${name}`);
    seen.add(name);
    if (s.public !== undefined && typeof s.public !== "boolean")
      throw bad(`inputs[${i}].public`, "expected a boolean");
    const len = s.length;
    if (
      len !== undefined &&
      (typeof len !== "number" || !Number.isInteger(len) || len < 1 || len > 1 << 16)
    ) {
      throw bad(`inputs[${i}].length`, "expected a whole number of elements in 1..65536");
    }
    return { name, public: s.public === true, ...(len !== undefined ? { length: len as number } : {}) };
  });
}

/** Validates a parsed market file; relative paths resolve against `baseDir`. Pure: no file access. */
export function parseMarketDescription(json: unknown, baseDir: string): MarketDescription {
  const m = obj(json, "(root)");
  if (m.version !== 1) throw bad("version", `expected 1, got ${JSON.stringify(m.version)}`);
  const name = str(m, "name", "name");
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
    throw bad("name", "expected kebab-case, at most 64 characters");
  const scheme = str(m, "scheme", "scheme");
  let verifier: Address | null = null;
  if (m.verifier !== null) {
    if (typeof m.verifier !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(m.verifier)) {
      throw bad("verifier", "expected a 0x-prefixed 20-byte address, or null until deployed");
    }
    verifier = m.verifier.toLowerCase() as Address;
  }
  const vkey = m.vkey === undefined ? undefined : resolve(baseDir, str(m, "vkey", "vkey"));
  const backend = parseBackend(m.backend, scheme, baseDir);
  const inputs = parseInputs(m.inputs);
  if (!inputs.some((s) => s.public))
    throw bad("inputs", "no public signal: the verifier would check nothing");
  const known = ["version", "name", "scheme", "verifier", "vkey", "backend", "inputs"];
  for (const k of Object.keys(m)) if (!known.includes(k)) throw bad(k, "unknown field");
  return { version: 1, name, scheme, verifier, ...(vkey ? { vkey } : {}), backend, inputs };
}

/** Reads, validates and checks the artifact files of a market description file. */
export async function loadMarketFile(
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<MarketDescription> {
  let text: string;
  try {
    text = await readFile(path, { encoding: "utf8", signal: options.signal });
  } catch (err) {
    throw new MarketFileError("MARKET_FILE_UNREADABLE", "(file)", `market file ${path}: ${String(err)}`, {
      cause: err,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MarketFileError(
      "MARKET_FILE_INVALID",
      "(json)",
      `market file ${path}: not JSON: ${String(err)}`,
    );
  }
  const market = parseMarketDescription(json, dirname(path));
  const files: [string, string | undefined][] = [["vkey", market.vkey]];
  if (market.backend.kind === "snarkjs")
    files.push(["backend.wasm", market.backend.wasm], ["backend.zkey", market.backend.zkey]);
  for (const [field, file] of files) {
    if (file === undefined) continue;
    options.signal?.throwIfAborted();
    await access(file).catch(() => {
      throw bad(field, `file not found: ${file}`);
    });
  }
  return market;
}

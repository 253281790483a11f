/**
 * Runs an external prover program (rapidsnark, SP1, RISC Zero, anything behind a script) on an
 * input file and reads its proof file. The program runs in its own process group, so a timeout,
 * an abort or `stop()` kills it and everything it spawned; `prove` settles only after the process
 * has exited, so no prover outlives its call.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHex } from "../../protocol/bytes.js";
import type { ProofResult, ProveOptions, ProverBackend } from "./backend.js";
import { ProverError } from "./errors.js";
import { type CircuitInputs, checkInputs } from "./inputs.js";
import type { CommandBackendConfig, MarketDescription } from "./market-file.js";
import { encodeProof, encodePublicInputs, PROOF_WORDS } from "./proof-encoding.js";

/** How much of the prover's stderr an error message quotes (the end, where the reason usually is). */
const STDERR_TAIL_BYTES = 2_000;

type Ending =
  | { kind: "exit"; code: number | null; signal: NodeJS.Signals | null }
  | { kind: "spawn-error"; err: Error };

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL"); // negative pid: the whole process group (detached: true)
  } catch {
    // ESRCH: the group is already gone
  }
}

/** The external-command prover backend for markets with `backend.kind: "command"`. */
export class CommandBackend implements ProverBackend {
  /** Running provers and how to stop each. */
  readonly #running = new Map<ChildProcess, () => void>();
  #stopped = false;

  /** Proves `inputs` for `market`; see `ProverBackend.prove`. */
  async prove(
    market: MarketDescription,
    inputs: CircuitInputs,
    options: ProveOptions = {},
  ): Promise<ProofResult> {
    const b = market.backend;
    if (b.kind !== "command")
      throw new ProverError("PROVER_UNSUPPORTED", `market ${market.name}: not a command market`);
    if (this.#stopped) throw new ProverError("PROVER_STOPPED", "command backend is stopped");
    const checked = checkInputs(market.inputs, inputs);
    if (options.signal?.aborted)
      throw new ProverError("PROVER_ABORTED", `proof for ${market.name} aborted before it started`);
    const dir = await mkdtemp(join(tmpdir(), "kalypso-prover-"));
    try {
      const files = {
        input: join(dir, "input.json"),
        proof: join(dir, "proof.json"),
        public: join(dir, "public.json"),
      };
      await writeFile(files.input, JSON.stringify(checked));
      const vars: Record<string, string> = { ...files, dir };
      const args = b.args.map((a) => a.replace(/\{(input|proof|public|dir)\}/g, (_, k: string) => vars[k]!));
      await this.#run(market, b, args, options.signal);
      return await readOutput(market, b, files.proof, files.public);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #run(
    market: MarketDescription,
    b: CommandBackendConfig,
    args: string[],
    signal?: AbortSignal,
  ): Promise<void> {
    const child = spawn(b.command, args, { detached: true, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL_BYTES);
    });
    let why: "timeout" | "abort" | "stop" | undefined;
    const kill = (reason: typeof why) => {
      why ??= reason;
      killGroup(child);
    };
    const onAbort = () => kill("abort");
    const timer = setTimeout(() => kill("timeout"), b.timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) kill("abort");
    this.#running.set(child, () => kill("stop"));
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    const ending = await new Promise<Ending>((resolve) => {
      child.once("error", (err) => resolve({ kind: "spawn-error", err }));
      child.once("exit", (code, sig) => resolve({ kind: "exit", code, signal: sig }));
    });
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    this.#running.delete(child);
    if (ending.kind === "exit") {
      // Anything the prover left running in its group goes too; then stderr closes (a leftover
      // child could hold it open forever) and the message has the prover's last words.
      killGroup(child);
      await closed;
    }
    const what = `prover ${b.command} for ${market.name}`;
    if (why === "timeout") throw new ProverError("PROVER_TIMEOUT", `${what}: killed after ${b.timeoutMs} ms`);
    if (why === "abort") throw new ProverError("PROVER_ABORTED", `${what}: aborted`);
    if (why === "stop") throw new ProverError("PROVER_STOPPED", `${what}: backend stopped`);
    if (ending.kind === "spawn-error") {
      throw new ProverError("PROVER_SPAWN_FAILED", `${what}: could not start: ${ending.err.message}`, {
        cause: ending.err,
      });
    }
    if (ending.code !== 0) {
      const how = ending.signal ? `killed by ${ending.signal}` : `exit code ${ending.code}`;
      throw new ProverError("PROVER_EXIT_NONZERO", `${what}: ${how}; stderr: ${stderr.trim() || "(empty)"}`);
    }
  }

  /** Kills every running prover (their `prove` calls fail with PROVER_STOPPED); idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const closing = [...this.#running.keys()].map(
      (c) =>
        new Promise<void>((resolve) =>
          c.exitCode !== null || c.signalCode !== null ? resolve() : c.once("close", () => resolve()),
        ),
    );
    for (const stopOne of this.#running.values()) stopOne();
    await Promise.all(closing);
  }
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ProverError("PROVER_BAD_OUTPUT", `${what}: no output file ${file}`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProverError(
      "PROVER_BAD_OUTPUT",
      `${what}: ${file} is not JSON: ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
}

async function readOutput(
  market: MarketDescription,
  b: CommandBackendConfig,
  proofFile: string,
  publicFile: string,
): Promise<ProofResult> {
  const what = `prover ${b.command} for ${market.name}`;
  const nPublic = market.inputs.filter((s) => s.public).reduce((n, s) => n + (s.length ?? 1), 0);
  let result: ProofResult;
  if (b.output === "snarkjs") {
    const scheme = market.scheme as "groth16" | "plonk"; // the loader allows snarkjs output only for these
    const proof = await readJson(proofFile, what);
    const signals = await readJson(publicFile, what);
    if (!Array.isArray(signals))
      throw new ProverError("PROVER_BAD_OUTPUT", `${what}: public signals are not an array`);
    result = { proof: encodeProof(scheme, proof), publicInputs: encodePublicInputs(signals) };
  } else {
    const out = (await readJson(proofFile, what)) as { proof?: unknown; publicInputs?: unknown } | null;
    try {
      result = { proof: fromHex(String(out?.proof)), publicInputs: fromHex(String(out?.publicInputs)) };
    } catch {
      throw new ProverError(
        "PROVER_BAD_OUTPUT",
        `${what}: expected {"proof": "0x..", "publicInputs": "0x.."}`,
      );
    }
  }
  // Catch a wrong-shaped proof here, where the prover can be told, not as a failed on-chain verify.
  if (result.publicInputs.length !== 32 * nPublic) {
    throw new ProverError(
      "PROVER_BAD_OUTPUT",
      `${what}: ${result.publicInputs.length} bytes of public inputs, expected ${32 * nPublic}`,
    );
  }
  const words = PROOF_WORDS[market.scheme as "groth16" | "plonk"];
  if (words !== undefined && result.proof.length !== 32 * words) {
    throw new ProverError(
      "PROVER_BAD_OUTPUT",
      `${what}: ${market.scheme} proof of ${result.proof.length} bytes, expected ${32 * words}`,
    );
  }
  if (result.proof.length === 0) throw new ProverError("PROVER_BAD_OUTPUT", `${what}: empty proof`);
  return result;
}

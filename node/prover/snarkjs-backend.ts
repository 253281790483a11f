/**
 * Groth16 and PLONK proofs with snarkjs, in a worker thread (snarkjs' own curve threads start from
 * there). One proof at a time (a second waits its turn: both would share the cores anyway). Abort or timeout terminates the worker, which
 * takes snarkjs' own threads with it; the next proof starts a fresh one.
 */
import { createRequire } from "node:module";
import { extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ProofResult, ProveOptions, ProverBackend } from "./backend.js";
import { ProverError } from "./errors.js";
import { type CircuitInputs, checkInputs } from "./inputs.js";
import type { MarketDescription } from "./market-file.js";
import { encodeProof, encodePublicInputs } from "./proof-encoding.js";
import type { WorkerJob, WorkerReply } from "./snarkjs-worker.js";

/** How long `stop()` lets the worker release snarkjs' threads before terminating it. */
const STOP_GRACE_MS = 5_000;

/**
 * The worker, from the module beside this one: `.js` once compiled runs as is; `.ts` (tests, bench,
 * tsx) needs tsx's loader, which Node 20 does not apply to a worker's entry from `execArgv`, so a
 * tiny eval'd bootstrap registers it first.
 */
function spawnWorker(): Worker {
  const self = fileURLToPath(import.meta.url);
  const url = new URL(`./snarkjs-worker${extname(self)}`, import.meta.url).href;
  if (extname(self) !== ".ts") return new Worker(new URL(url));
  // tsx's CommonJS mode (mocha loads tests that way) has no import.meta.resolve: take the .mjs
  // beside the entry `require` finds.
  const tsx =
    typeof import.meta.resolve === "function"
      ? import.meta.resolve("tsx/esm/api")
      : pathToFileURL(
          createRequire(import.meta.url)
            .resolve("tsx/esm/api")
            .replace(/\.cjs$/, ".mjs"),
        ).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(boot, { eval: true });
}

type ProveJob = Extract<WorkerJob, { type: "prove" }>;
type FailCode = "PROVER_TIMEOUT" | "PROVER_ABORTED" | "PROVER_CRASHED" | "PROVER_STOPPED";

/** Options of the snarkjs backend. */
export interface SnarkjsBackendInit {
  /**
   * Prove on one core, leaving the others to the node. Default false: snarkjs uses every core
   * (about 2x faster on 2 cores; the worker's first proof pays ~1 s to start its threads).
   */
  singleThread?: boolean;
}

/** The snarkjs prover backend for markets with `backend.kind: "snarkjs"`. */
export class SnarkjsBackend implements ProverBackend {
  readonly #singleThread: boolean;
  #worker: Worker | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #stopped = false;
  /** Ends the proof in flight, if any: terminates the worker and rejects with `code`. */
  #cancel: ((code: FailCode, why: string) => void) | undefined;
  /** The last worker termination, so `stop()` returns only once no thread is left. */
  #terminating: Promise<void> | undefined;

  constructor(init: SnarkjsBackendInit = {}) {
    this.#singleThread = init.singleThread ?? false;
  }

  /** Proves `inputs` for `market`; see `ProverBackend.prove`. */
  async prove(
    market: MarketDescription,
    inputs: CircuitInputs,
    options: ProveOptions = {},
  ): Promise<ProofResult> {
    const b = market.backend;
    const scheme = market.scheme;
    if (b.kind !== "snarkjs" || (scheme !== "groth16" && scheme !== "plonk")) {
      throw new ProverError(
        "PROVER_UNSUPPORTED",
        `market ${market.name}: not a snarkjs groth16/plonk market`,
      );
    }
    const input = checkInputs(market.inputs, inputs);
    const job: ProveJob = {
      type: "prove",
      id: 0,
      scheme,
      wasm: b.wasm,
      zkey: b.zkey,
      input,
      singleThread: this.#singleThread,
    };
    const run = this.#queue.then(() => this.#run(market, job, b.timeoutMs, options.signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(
    market: MarketDescription,
    job: ProveJob,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ProofResult> {
    if (this.#stopped) throw new ProverError("PROVER_STOPPED", "snarkjs backend is stopped");
    if (signal?.aborted)
      throw new ProverError("PROVER_ABORTED", `proof for ${market.name} aborted before it started`);
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    worker.ref();
    try {
      const reply = await new Promise<WorkerReply>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const cleanup = () => {
          clearTimeout(timer);
          this.#cancel = undefined;
          signal?.removeEventListener("abort", onAbort);
          worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        };
        const fail = (code: FailCode, why: string) => {
          cleanup();
          const err = new ProverError(code, `${job.scheme} proof for ${market.name}: ${why}`);
          // Terminating the worker ends the proof and snarkjs' threads; wait for it so nothing lingers.
          void this.#discard(worker).then(() => reject(err));
        };
        const onAbort = () => fail("PROVER_ABORTED", "aborted");
        const onMessage = (r: WorkerReply) => {
          if (r.id !== id) return;
          cleanup();
          resolve(r);
        };
        const onError = (err: Error) => fail("PROVER_CRASHED", `worker error: ${err.message}`);
        const onExit = (code: number) => fail("PROVER_CRASHED", `worker exited with code ${code}`);
        if (timeoutMs)
          timer = setTimeout(() => fail("PROVER_TIMEOUT", `took over ${timeoutMs} ms`), timeoutMs);
        this.#cancel = fail;
        signal?.addEventListener("abort", onAbort, { once: true });
        worker.on("message", onMessage).on("error", onError).on("exit", onExit);
        worker.postMessage({ ...job, id } satisfies WorkerJob);
      });
      if (!reply.ok)
        throw new ProverError("PROVER_FAILED", `${job.scheme} proof for ${market.name}: ${reply.message}`);
      return {
        proof: encodeProof(job.scheme, reply.proof),
        publicInputs: encodePublicInputs(reply.publicSignals),
      };
    } finally {
      // An idle worker must not keep the process alive if the owner forgets stop().
      if (this.#worker === worker) worker.unref();
    }
  }

  #ensureWorker(): Worker {
    if (!this.#worker) {
      const worker = spawnWorker();
      worker.on("error", () => undefined); // reported per job; never an uncaught exception
      // A worker that dies while idle is forgotten, so the next proof starts a fresh one.
      worker.once("exit", () => {
        if (this.#worker === worker) this.#worker = undefined;
      });
      this.#worker = worker;
    }
    return this.#worker;
  }

  async #discard(worker: Worker): Promise<void> {
    if (this.#worker === worker) this.#worker = undefined;
    this.#terminating = worker.terminate().then(() => undefined);
    await this.#terminating;
  }

  /** Releases the worker and snarkjs' threads; idempotent. Queued proofs fail with PROVER_STOPPED. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.("PROVER_STOPPED", "backend stopped");
    await this.#terminating;
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage({ type: "close" } satisfies WorkerJob);
    const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Worker thread entry of the snarkjs backend: proves one job at a time so the node's event loop
 * (gossip, chain watching) never waits on proving. Messages: see `WorkerJob` and `WorkerReply`.
 */
import threads, { parentPort } from "node:worker_threads";

// snarkjs' field library starts its curve threads through the `web-worker` package, which decides
// at import time that any thread but the main one is one of its own children (and then fails on
// the missing workerData of one). Present this worker as the main thread while snarkjs loads, so web-worker can start threads from here and a proof uses every
// core; those threads load fresh module instances and see the truth.
(threads as { isMainThread: boolean }).isMainThread = true;
const snarkjs = await import("snarkjs");
(threads as { isMainThread: boolean }).isMainThread = false;

/** A proof to compute. `close` asks the worker to release snarkjs' threads and exit. */
export type WorkerJob =
  | {
      type: "prove";
      id: number;
      scheme: "groth16" | "plonk";
      wasm: string;
      zkey: string;
      input: Record<string, unknown>;
      /** One core (the backend's `singleThread` option), else snarkjs' thread pool. */
      singleThread: boolean;
    }
  | { type: "close" };

/** The worker's answer to one `prove` job. */
export type WorkerReply =
  | { id: number; ok: true; proof: Record<string, unknown>; publicSignals: string[] }
  | { id: number; ok: false; message: string };

const port = parentPort;
if (!port) throw new Error("snarkjs-worker.ts runs only as a worker thread");

port.on("message", async (job: WorkerJob) => {
  if (job.type === "close") {
    // snarkjs' curve keeps its own threads: end them so this worker can exit (STACK.md pitfall 8).
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
    port.close();
    return;
  }
  let reply: WorkerReply;
  try {
    const { proof, publicSignals } = await (job.scheme === "groth16"
      ? snarkjs.groth16
      : snarkjs.plonk
    ).fullProve(job.input, job.wasm, job.zkey, undefined, undefined, {
      singleThread: job.singleThread,
    });
    reply = { id: job.id, ok: true, proof, publicSignals };
  } catch (err) {
    reply = { id: job.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});

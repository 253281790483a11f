/**
 * The prover's work queue: its anchored assignments, proven at most `capacity` at a time, earliest
 * deadline first. Work that cannot be proven and submitted before its deadline is skipped, never
 * started (it would only burn cores: the collateral is lost either way). Transient failures (a
 * crashed or timed-out prover, an unreachable chain) are retried with exponential backoff while
 * time allows; anything else gives up at once. No libp2p and no chain here: those come in as
 * components, so the rules are tested with a fake clock and a fake backend.
 */

import { ChainError } from "../../chain/errors.js";
import type { AssignedRecord } from "../../chain/marketplace-client.js";
import { toHex } from "../../protocol/bytes.js";
import { keccak } from "../../protocol/eip712.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { NodeMetrics } from "../metrics.js";
import type { ProofResult, ProverBackend } from "../prover/backend.js";
import { ProverError, type ProverErrorCode } from "../prover/errors.js";
import type { MarketDescription } from "../prover/market-file.js";
import { ProverRoleError } from "./prover-errors.js";
import { circuitInputsOf } from "./prover-inputs.js";

/** A market this prover serves: its description and the backend that proves it. */
export interface ProverMarket {
  description: MarketDescription;
  backend: ProverBackend;
  /** Seconds one proof is expected to take before any is measured. Default 1. */
  expectedProvingS?: number;
}

/** The bytes of an assignment: public inputs as committed, and the witness if any. */
export interface AssignmentInputs {
  publicInputs: Uint8Array;
  witness?: Uint8Array;
}

/** What the queue needs from the outside world. */
export interface ProverJobsComponents {
  /** Chain time in seconds: deadlines are chain time. */
  now: () => number;
  markets: ReadonlyMap<number, ProverMarket>;
  /** The assignment's inputs, from the store or a peer; throws ASSIGNMENT_INPUTS_UNAVAILABLE. */
  loadInputs(record: AssignedRecord, options: { signal?: AbortSignal }): Promise<AssignmentInputs>;
  /** Submit the proof on-chain; returns the transaction hash. */
  submit(record: AssignedRecord, result: ProofResult, options: { signal?: AbortSignal }): Promise<string>;
  logger?: Logger;
  metrics?: NodeMetrics;
}

/** Options of the queue; every field optional. */
export interface ProverJobsInit {
  /** Proofs in flight at most. Default 1: a proof already uses every core. */
  capacity?: number;
  /** Attempts per step (prove, submit) before giving up. Default 3. */
  attempts?: number;
  /** First retry delay, doubled per retry. Default 1,000 ms: a crashed worker restarts in about that. */
  backoffMs?: number;
  /** Seconds kept free before the deadline for the fulfil transaction. Default 5: a few blocks. */
  submitMarginS?: number;
}

/** What happened to one assignment. */
export type JobOutcome =
  | { kind: "proven"; requestId: string; txHash: string; provingMs: number; attempts: number }
  | { kind: "skipped"; requestId: string; error: ProverRoleError; again: boolean }
  | { kind: "failed"; requestId: string; error: ProverRoleError; again: boolean };

/** Emitted once per assignment with its outcome (`type` is the outcome's kind). */
export class JobEvent extends Event {
  constructor(readonly outcome: JobOutcome) {
    super(outcome.kind);
  }
}

/** Backend failures worth another attempt: the same inputs may well prove next time. */
const TRANSIENT: ReadonlySet<ProverErrorCode> = new Set([
  "PROVER_TIMEOUT",
  "PROVER_CRASHED",
  "PROVER_SPAWN_FAILED",
  "PROVER_EXIT_NONZERO",
  "PROVER_BAD_OUTPUT",
]);

function isTransient(err: unknown): boolean {
  if (err instanceof ProverError) return TRANSIENT.has(err.code);
  // Reverts (deadline passed, proof rejected, already fulfilled) repeat; an RPC hiccup does not.
  if (err instanceof ChainError) return err.code === "RPC_ERROR";
  return false;
}

/** Resolves after `ms`, or rejects at once when `signal` aborts. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The queue of anchored assignments; listen for "proven", "skipped" and "failed" JobEvents. */
export class ProverJobs extends EventTarget {
  private readonly capacity: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly submitMarginS: number;
  private readonly log: Logger;
  private readonly waiting: AssignedRecord[] = [];
  /** Assignments queued or in flight. */
  private readonly active = new Set<string>();
  /** Assignments proven: a repeat of one is ignored. */
  private readonly proven = new Set<string>();
  /**
   * The latest record of an assignment that came again while it was queued or in flight (its
   * anchor after a soft-confirmed try): tried once that try fails or is skipped.
   */
  private readonly again = new Map<string, AssignedRecord>();
  /** Measured proving seconds per market (moving average), once a proof was made. */
  private readonly measuredS = new Map<number, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  /** Proofs in flight now, and the most there ever were (for tests and metrics). */
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly components: ProverJobsComponents,
    init: ProverJobsInit = {},
  ) {
    super();
    this.capacity = init.capacity ?? 1;
    this.attempts = init.attempts ?? 3;
    this.backoffMs = init.backoffMs ?? 1000;
    this.submitMarginS = init.submitMarginS ?? 5;
    this.log = components.logger ?? silentLogger;
  }

  /**
   * Queue an assignment. A repeat of one proven is ignored; of one queued or in flight, kept to be
   * tried if that try fails or is skipped (the anchored record has the real deadline); of one whose
   * try failed, tried again.
   */
  add(record: AssignedRecord): void {
    const id = record.requestId;
    if (this.controller.signal.aborted || this.proven.has(id)) return;
    if (this.active.has(id)) {
      this.again.set(id, record);
      return;
    }
    this.active.add(id);
    this.waiting.push(record);
    // Earliest deadline first: the most urgent work gets the next free slot.
    this.waiting.sort((a, b) => a.deadline - b.deadline);
    this.pump();
  }

  /** Seconds a proof in `marketId` is expected to take: measured, floored at the configured guess. */
  expectedS(marketId: number): number {
    const configured = this.components.markets.get(marketId)?.expectedProvingS ?? 1;
    return Math.max(configured, Math.ceil(this.measuredS.get(marketId) ?? 0));
  }

  /** Whether a proof started now can be on-chain before the deadline. */
  canFinish(record: AssignedRecord): boolean {
    return this.components.now() + this.expectedS(record.marketId) + this.submitMarginS <= record.deadline;
  }

  /** Abort work in flight and wait for it to end; idempotent. */
  async stop(): Promise<void> {
    this.controller.abort(new ProverRoleError("ASSIGNMENT_ABORTED", "the prover stopped"));
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }

  /** Wait until nothing is queued or in flight. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (this.inFlight < this.capacity && this.waiting.length > 0) {
      const record = this.waiting.shift()!;
      if (!this.canFinish(record)) {
        this.skip(record);
        continue;
      }
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      const run = this.run(record).finally(() => {
        this.inFlight--;
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private skip(record: AssignedRecord): void {
    const left = record.deadline - this.components.now();
    const need = this.expectedS(record.marketId) + this.submitMarginS;
    const error = new ProverRoleError(
      "ASSIGNMENT_TOO_LATE",
      `request ${record.requestId}: ${left}s left before the deadline, a proof needs about ${need}s; skipped`,
    );
    this.log.warn({ requestId: record.requestId, leftS: left, needS: need }, "assignment skipped: too late");
    const next = this.end(record.requestId);
    this.emit({ kind: "skipped", requestId: record.requestId, error, again: next !== undefined });
    if (next) this.add(next);
  }

  /** The try of `requestId` ended without a proof: it may come again. Returns its next record, if any. */
  private end(requestId: string): AssignedRecord | undefined {
    this.active.delete(requestId);
    const next = this.again.get(requestId);
    this.again.delete(requestId);
    return next;
  }

  private async run(record: AssignedRecord): Promise<void> {
    const signal = this.controller.signal;
    try {
      const market = this.components.markets.get(record.marketId);
      if (!market) {
        throw new ProverRoleError("ASSIGNMENT_NO_BACKEND", `no backend for market ${record.marketId}`);
      }
      const inputs = await this.components.loadInputs(record, { signal });
      const circuit = circuitInputsOf(market.description.inputs, inputs.publicInputs, inputs.witness);
      let attempts = 0;
      const started = Date.now();
      const result = await this.retry(record, "prove", async () => {
        attempts++;
        const r = await market.backend.prove(market.description, circuit, { signal });
        // The contract checks keccak(publicInputs) == inputsHash: catch a mismatch before paying gas.
        if (toHex(keccak(r.publicInputs)) !== record.inputsHash) {
          throw new ProverRoleError(
            "ASSIGNMENT_INPUTS_MISMATCH",
            `request ${record.requestId}: the proof's public inputs do not hash to ${record.inputsHash}`,
          );
        }
        return r;
      });
      const provingMs = Date.now() - started;
      this.measure(record.marketId, provingMs / 1000);
      const txHash = await this.retry(record, "submit", () =>
        this.components.submit(record, result, { signal }),
      );
      this.log.info({ requestId: record.requestId, txHash, provingMs, attempts }, "assignment proven");
      this.active.delete(record.requestId);
      this.again.delete(record.requestId);
      this.proven.add(record.requestId);
      this.emit({ kind: "proven", requestId: record.requestId, txHash, provingMs, attempts });
    } catch (err) {
      const error =
        err instanceof ProverRoleError
          ? err
          : new ProverRoleError(
              signal.aborted ? "ASSIGNMENT_ABORTED" : "ASSIGNMENT_GAVE_UP",
              `request ${record.requestId}: ${(err as Error).message}`,
              { cause: err },
            );
      this.log.error(
        { requestId: record.requestId, code: error.code, cause: (err as { code?: string }).code },
        "assignment failed",
      );
      // Worth another try when the assignment comes again: a soft-confirmed try that failed (inputs
      // not fetched yet, proven too early) is followed by its anchor, before or after the failure.
      // Kept as handled, the anchored assignment was dropped and never proven.
      const next = this.end(record.requestId);
      this.emit({ kind: "failed", requestId: record.requestId, error, again: next !== undefined });
      if (next) this.add(next);
    }
  }

  /** Runs `step` until it succeeds, fails for good, runs out of attempts, or of time. */
  private async retry<T>(record: AssignedRecord, what: string, step: () => Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (err) {
        const again = isTransient(err) && attempt < this.attempts && !signal.aborted;
        if (!again) {
          if (err instanceof ProverRoleError || attempt === 1) throw err;
          throw new ProverRoleError(
            "ASSIGNMENT_GAVE_UP",
            `request ${record.requestId}: ${what} failed ${attempt} times; last: ${(err as Error).message}`,
            { cause: err },
          );
        }
        const waitMs = this.backoffMs * 2 ** (attempt - 1);
        this.log.warn(
          { requestId: record.requestId, step: what, attempt, code: (err as { code?: string }).code, waitMs },
          "step failed; retrying",
        );
        await delay(waitMs, signal);
        if (what === "prove" && !this.canFinish(record)) {
          throw new ProverRoleError(
            "ASSIGNMENT_GAVE_UP",
            `request ${record.requestId}: no time left for another attempt; last: ${(err as Error).message}`,
            { cause: err },
          );
        }
      }
    }
  }

  private measure(marketId: number, seconds: number): void {
    const prev = this.measuredS.get(marketId);
    // A moving average: one slow proof should not make the prover refuse everything after it.
    this.measuredS.set(marketId, prev === undefined ? seconds : 0.7 * prev + 0.3 * seconds);
    this.components.metrics?.provingSeconds.observe({ market: String(marketId) }, seconds);
  }

  private emit(outcome: JobOutcome): void {
    this.dispatchEvent(new JobEvent(outcome));
  }
}

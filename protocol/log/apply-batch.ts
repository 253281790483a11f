/**
 * What every follower does with a batch from the leader: check that it continues the log, re-apply
 * its events with the matching rule, and check that the assignments and the state digest are the
 * ones the header signs. The leader's signature and its lease for `header.term` are chain facts the
 * caller checks (validateBatch returns the signer); everything that follows from the log is here.
 */
import { bytesEqual, fromHex } from "../bytes.js";
import { assignmentsHash, eventsHash } from "../codec/messages.js";
import type { Assignment, SignedBatch } from "../messages.js";
import { type ApplyOptions, applyEvent } from "./apply-event.js";
import { LogError } from "./errors.js";
import { type LogState, stateDigest } from "./log-state.js";
import { advanceHead } from "./sequence.js";

/** Options of `verifyBatch` and `applyBatch`. */
export interface BatchOptions extends ApplyOptions {
  /**
   * The caller already checked that the events and assignments hash to the header (validateBatch
   * does, at gossip): skip hashing them again. keccak is most of a follower's cost per event.
   */
  bodyVerified?: boolean;
}

/** A batch applied: the state after it (the same object, updated) and the assignments it made. */
export interface Applied {
  state: LogState;
  assignments: Assignment[];
}

/**
 * Check `batch` against the log without changing it: the state is left exactly as it was whatever
 * the outcome. Throws a LogError naming the first rule the batch breaks.
 */
export function verifyBatch(state: LogState, batch: SignedBatch, opts: BatchOptions = {}): void {
  run(state, batch, opts, false);
}

/** Check `batch` and, if it holds, make it part of this replica's log. Throws like `verifyBatch`, changing nothing. */
export function applyBatch(state: LogState, batch: SignedBatch, opts: BatchOptions = {}): Applied {
  return { state, assignments: run(state, batch, opts, true) };
}

function run(state: LogState, batch: SignedBatch, opts: BatchOptions, keep: boolean): Assignment[] {
  checkHeader(state, batch, opts.bodyVerified === true);
  const h = batch.header;
  const engine = state.engine;
  engine.begin();
  try {
    engine.advance(h.time);
    for (let i = 0; i < batch.events.length; i++) {
      let result: ReturnType<typeof applyEvent>;
      try {
        result = applyEvent(state, batch.events[i]!, opts);
      } catch (err) {
        throw new LogError("LOG_INVALID_EVENT", `batch ${h.seq} event ${i} is invalid: ${String(err)}`, {
          cause: err,
        });
      }
      // A stale event is a no-op, but it still holds its place in the log.
      if (!result.applied) engine.skip();
    }
    const made = engine.takeAssignments();
    checkAssignments(h.seq, made, batch.assignments);
    const digest = stateDigest(state);
    if (digest !== h.stateDigest) {
      throw new LogError(
        "LOG_STATE_DIGEST_DIFFERS",
        `batch ${h.seq} commits to state ${h.stateDigest}, replaying it gives ${digest}`,
      );
    }
    if (!keep) {
      engine.rollback();
      return made;
    }
    engine.commit();
    advanceHead(state, h);
    return made;
  } catch (err) {
    engine.rollback();
    throw err;
  }
}

function checkHeader(state: LogState, batch: SignedBatch, bodyVerified: boolean): void {
  const h = batch.header;
  const head = state.head;
  if (h.term < head.term) {
    throw new LogError(
      "LOG_STALE_TERM",
      `batch ${h.seq} has term ${h.term}, the log is at term ${head.term}`,
    );
  }
  if (h.seq !== head.seq) {
    throw new LogError("LOG_WRONG_SEQ", `batch has seq ${h.seq}, the next in the log is ${head.seq}`);
  }
  if (h.prevHash !== head.prevHash) {
    throw new LogError(
      "LOG_BROKEN_CHAIN",
      `batch ${h.seq} follows ${h.prevHash}, the log's last batch is ${head.prevHash}`,
    );
  }
  if (h.time < head.time) {
    throw new LogError("LOG_TIME_BACKWARDS", `batch ${h.seq} time ${h.time} is before ${head.time}`);
  }
  if (bodyVerified) return;
  if (!bytesEqual(eventsHash(batch.events), fromHex(h.eventsHash))) {
    throw new LogError("LOG_BODY_MISMATCH", `batch ${h.seq} events do not hash to header.eventsHash`);
  }
  if (!bytesEqual(assignmentsHash(batch.assignments), fromHex(h.assignmentsHash))) {
    throw new LogError(
      "LOG_BODY_MISMATCH",
      `batch ${h.seq} assignments do not hash to header.assignmentsHash`,
    );
  }
}

function checkAssignments(seq: number, made: readonly Assignment[], claimed: readonly Assignment[]): void {
  const n = Math.max(made.length, claimed.length);
  for (let i = 0; i < n; i++) {
    const a = made[i];
    const b = claimed[i];
    if (a === undefined || b === undefined || !sameAssignment(a, b)) {
      throw new LogError(
        "LOG_ASSIGNMENTS_DIFFER",
        `batch ${seq} assignment ${i}: the rule gives ${show(a)}, the batch has ${show(b)}`,
      );
    }
  }
}

function sameAssignment(a: Assignment, b: Assignment): boolean {
  return (
    a.requestId === b.requestId &&
    a.quoteId === b.quoteId &&
    a.prover === b.prover &&
    a.price === b.price &&
    a.provingTime === b.provingTime
  );
}

function show(a: Assignment | undefined): string {
  return a === undefined ? "none" : `${a.requestId} -> ${a.prover} at ${a.price} wei`;
}

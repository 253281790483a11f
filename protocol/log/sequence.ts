/**
 * What the leader does: order a set of pending events into the next batch of the log at a given
 * time, apply them, and produce the header to sign.
 */
import { toHex } from "../bytes.js";
import { assignmentsHash, eventsHash } from "../codec/messages.js";
import { batchHeaderHash } from "../eip712.js";
import { ProtocolError } from "../errors.js";
import type { Assignment, BatchHeader, LogEvent, Signature, SignedBatch } from "../messages.js";
import { type ApplyOptions, applyEvent } from "./apply-event.js";
import { LogError } from "./errors.js";
import { type LogState, stateDigest } from "./log-state.js";

/** The leader's batch before signing, and what it left out. */
export interface Sequenced {
  state: LogState;
  /** Sign with `signBatchHeader(matcherDomain, header, key)`, then `sealBatch`. */
  header: BatchHeader;
  /** The events put in the batch, in log order. */
  events: LogEvent[];
  assignments: Assignment[];
  /** Events left out: invalid (REJECT) or stale (IGNORE) at the batch's time. */
  dropped: { event: LogEvent; error: ProtocolError }[];
}

/** Options of `sequence`. */
export interface SequenceOptions extends ApplyOptions {
  /** The leader's lease term; defaults to the term the log already holds. */
  term?: number;
}

/**
 * Sequence `events` into the next batch at chain time `time`, updating `state` in place. Events that
 * fail validation at that time are left out (and reported), never sequenced: a follower would refuse
 * the batch for an invalid one. Throws LOG_TIME_BACKWARDS or LOG_STALE_TERM for a caller error.
 */
export function sequence(
  state: LogState,
  events: readonly LogEvent[],
  time: number,
  opts: SequenceOptions = {},
): Sequenced {
  const head = state.head;
  const term = opts.term ?? head.term;
  if (term < head.term)
    throw new LogError("LOG_STALE_TERM", `term ${term} is older than the log's ${head.term}`);
  if (time < head.time) {
    throw new LogError("LOG_TIME_BACKWARDS", `time ${time} is before the last batch's ${head.time}`);
  }
  const engine = state.engine;
  engine.advance(time);
  const kept: LogEvent[] = [];
  const dropped: Sequenced["dropped"] = [];
  for (const event of events) {
    // Validation comes before any mutation, so a dropped event leaves no trace in the state.
    try {
      const result = applyEvent(state, event, opts);
      if (result.applied) kept.push(event);
      else dropped.push({ event, error: result.error });
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      dropped.push({ event, error: err });
    }
  }
  const assignments = engine.takeAssignments();
  const header: BatchHeader = {
    term,
    seq: head.seq,
    prevHash: head.prevHash,
    time,
    eventsHash: toHex(eventsHash(kept)),
    assignmentsHash: toHex(assignmentsHash(assignments)),
    stateDigest: stateDigest(state),
  };
  advanceHead(state, header);
  return { state, header, events: kept, assignments, dropped };
}

/** Move the log's head past `header` (the batch is now part of this replica's log). */
export function advanceHead(state: LogState, header: BatchHeader): void {
  state.head = {
    term: header.term,
    seq: header.seq + 1,
    prevHash: batchHeaderHash(state.matcherDomain, header),
    time: header.time,
  };
}

/** The signed batch as it is published. */
export function sealBatch(s: Sequenced, signature: Signature): SignedBatch {
  return { header: s.header, signature, events: s.events, assignments: s.assignments };
}

/**
 * Why a batch of the sequenced log was refused. A follower that gets any of these from a batch
 * signed by the leader has caught the leader breaking the log (or has lost its own place in it:
 * LOG_WRONG_SEQ ahead of it means "sync first").
 */
import { KalypsoError } from "../errors.js";

export type LogErrorCode =
  /** header.prevHash is not the hash of the batch before it. */
  | "LOG_BROKEN_CHAIN"
  /** header.seq is not the next batch number. */
  | "LOG_WRONG_SEQ"
  /** header.term is older than a term the log already holds: a fenced-off leader. */
  | "LOG_STALE_TERM"
  /** header.time is before the previous batch's time. */
  | "LOG_TIME_BACKWARDS"
  /** The events or assignments do not hash to what the header signs. */
  | "LOG_BODY_MISMATCH"
  /** An event in the batch is provably invalid (bad signature, broken field rule). */
  | "LOG_INVALID_EVENT"
  /** The assignments are not the ones the matching rule produces from these events. */
  | "LOG_ASSIGNMENTS_DIFFER"
  /** The state after the batch is not the one the header commits to. */
  | "LOG_STATE_DIGEST_DIFFERS";

/** A batch broke the log's rules; `code` says which. */
export class LogError extends KalypsoError<LogErrorCode> {}

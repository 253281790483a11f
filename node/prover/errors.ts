/** Coded errors of prover backends and market description files. */
import { KalypsoError } from "../../protocol/errors.js";

/** Why a proof could not be produced. */
export type ProverErrorCode =
  /** The inputs do not match the market's input schema (the message names the signal). */
  | "PROVER_BAD_INPUT"
  /** The backend cannot serve this market (e.g. a command market given to the snarkjs backend). */
  | "PROVER_UNSUPPORTED"
  /** The proof took longer than the backend's timeout; the prover was killed. */
  | "PROVER_TIMEOUT"
  /** The caller's signal aborted the proof; the prover was killed. */
  | "PROVER_ABORTED"
  /** The external prover could not be started (missing binary, not executable). */
  | "PROVER_SPAWN_FAILED"
  /** The external prover exited non-zero or was killed by a signal it did not get from us. */
  | "PROVER_EXIT_NONZERO"
  /** The prover's output is missing, unparsable or not the shape the market's verifier takes. */
  | "PROVER_BAD_OUTPUT"
  /** The proving library failed (e.g. the inputs do not satisfy the circuit). */
  | "PROVER_FAILED"
  /** The proving worker died. */
  | "PROVER_CRASHED"
  /** The backend was stopped. */
  | "PROVER_STOPPED";

/** A proof could not be produced; branch on `code`. */
export class ProverError extends KalypsoError<ProverErrorCode> {}

/** Why a market description file was refused. */
export type MarketFileErrorCode = "MARKET_FILE_UNREADABLE" | "MARKET_FILE_INVALID";

/** A market description file is unreadable or invalid; `field` names the offending field. */
export class MarketFileError extends KalypsoError<MarketFileErrorCode> {
  readonly field: string;
  constructor(code: MarketFileErrorCode, field: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.field = field;
  }
}

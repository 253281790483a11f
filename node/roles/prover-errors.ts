/** Coded errors of the prover role: why an assignment was not (or could not be) proven. */
import { KalypsoError } from "../../protocol/errors.js";

/** Why the prover role did not prove an assignment. */
export type ProverRoleErrorCode =
  /** No backend is configured for the assignment's market. */
  | "ASSIGNMENT_NO_BACKEND"
  /** The inputs (or the witness) could not be found locally or at any peer. */
  | "ASSIGNMENT_INPUTS_UNAVAILABLE"
  /** The witness does not give the public inputs the request committed to, or is malformed. */
  | "ASSIGNMENT_INPUTS_MISMATCH"
  /** Too little time is left before the deadline to prove and submit: skipped, not attempted. */
  | "ASSIGNMENT_TOO_LATE"
  /** A soft-confirmed assignment was never anchored on-chain in time: nothing to submit it to. */
  | "ASSIGNMENT_NOT_ANCHORED"
  /** Every attempt failed (the cause is the last failure). */
  | "ASSIGNMENT_GAVE_UP"
  /** The prover stopped while the assignment was in flight. */
  | "ASSIGNMENT_ABORTED";

/** The prover role could not prove an assignment; branch on `code`. */
export class ProverRoleError extends KalypsoError<ProverRoleErrorCode> {}

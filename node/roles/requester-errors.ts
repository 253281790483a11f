/** Coded errors of the requester role. */
import { KalypsoError } from "../../protocol/errors.js";

/** Why a proof request could not be made or followed. */
export type RequesterErrorCode =
  /** The request's parameters are invalid (the message names the field). */
  | "REQUEST_BAD_PARAMS"
  /** The market is not on-chain. */
  | "REQUEST_UNKNOWN_MARKET"
  /** The deposit top-up failed (the cause is the chain error). */
  | "REQUEST_DEPOSIT_FAILED"
  /** The network refused the request (the cause is the protocol error). */
  | "REQUEST_PUBLISH_FAILED"
  /** The caller's signal aborted the wait (the request itself may still be matched). */
  | "REQUEST_ABORTED"
  /** The requester was stopped while following the request. */
  | "REQUEST_STOPPED";

/** A proof request could not be made or followed; branch on `code`. */
export class RequesterError extends KalypsoError<RequesterErrorCode> {}

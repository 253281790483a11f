/** Coded errors of the node layer. */
import { KalypsoError } from "../protocol/errors.js";

export type NodeErrorCode =
  | "IDENTITY_BAD_KEY"
  | "IDENTITY_KEY_FILE_MODE"
  | "CONFIG_INVALID"
  | "STORE_CLOSED"
  | "RPC_RATE_LIMITED"
  | "RPC_BAD_REQUEST"
  | "RPC_NOT_FOUND"
  | "RPC_FAILED";

/** Something the node cannot do as configured or asked: the message says what to change. */
export class NodeError extends KalypsoError<NodeErrorCode> {}

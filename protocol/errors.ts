/**
 * Coded errors. Callers branch on `code`, never on the message text. Each domain has a closed set of
 * codes; the message says what was wrong, with the field and the values, and where it can, what to do.
 */
export class KalypsoError<C extends string = string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * What a node does with a message that failed validation (gossipsub's verdicts).
 * REJECT: provably bad (malformed, bad signature, broken rule): the sending peer is penalised.
 * IGNORE: not now (duplicate, expired, unknown market): dropped without penalty.
 */
export type Verdict = "REJECT" | "IGNORE";

/** Every code the protocol layer can raise, by what it is about. */
export type ProtocolErrorCode =
  // decoding: always REJECT, the bytes cannot be what an honest peer sends
  | "DECODE_EMPTY"
  | "DECODE_OVERSIZED"
  | "DECODE_TRUNCATED"
  | "DECODE_TRAILING_BYTES"
  | "DECODE_UNKNOWN_TYPE"
  | "DECODE_UNKNOWN_VERSION"
  | "DECODE_NON_CANONICAL"
  | "DECODE_OUT_OF_RANGE"
  // signatures
  | "SIGNATURE_MALFORMED"
  | "SIGNATURE_HIGH_S"
  | "SIGNATURE_UNRECOVERABLE"
  | "SIGNATURE_MISMATCH"
  // field rules
  | "ZERO_ADDRESS"
  | "ZERO_MONEY"
  | "PROVING_TIME_OUT_OF_RANGE"
  | "ASSIGN_BY_IN_PAST"
  | "ASSIGN_BY_TOO_FAR"
  | "QUOTE_EXPIRED"
  | "QUOTE_VALID_TOO_LONG"
  | "ZERO_CAPACITY"
  | "INPUTS_HASH_MISMATCH"
  | "INPUTS_TOO_LARGE"
  | "PROOF_HASH_MISMATCH"
  | "BATCH_BODY_MISMATCH"
  | "TIME_IN_FUTURE"
  | "INVALID_FIELD"
  | "WRONG_TOPIC"
  | "VALIDATOR_FAILED"
  // state checks
  | "DUPLICATE"
  | "UNKNOWN_MARKET";

/** A message failed decoding or validation: `verdict` says what the network does with it. */
export class ProtocolError extends KalypsoError<ProtocolErrorCode> {
  readonly verdict: Verdict;
  constructor(code: ProtocolErrorCode, verdict: Verdict, message: string) {
    super(code, message);
    this.verdict = verdict;
  }
}

/** Shorthand for a provably bad message. */
export function reject(code: ProtocolErrorCode, message: string): ProtocolError {
  return new ProtocolError(code, "REJECT", message);
}

/** Shorthand for a message that is not wrong, only not useful now. */
export function ignore(code: ProtocolErrorCode, message: string): ProtocolError {
  return new ProtocolError(code, "IGNORE", message);
}

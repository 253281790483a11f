/** Coded errors of private inputs (DESIGN §5): sealed witnesses, their envelopes and key delivery. */
import { KalypsoError } from "../../protocol/errors.js";

/** Why a private input was refused or could not be opened. */
export type PrivateInputsErrorCode =
  /** A sealed envelope in a market whose provers need not run in a TEE: nobody could open it. */
  | "PRIVATE_SEALED_IN_OPEN_MARKET"
  /** A plaintext witness in a market that requires TEE provers: it would be readable by every node. */
  | "PRIVATE_PLAINTEXT_IN_TEE_MARKET"
  /** The envelope's bytes do not parse (bad magic, version, lengths). */
  | "PRIVATE_MALFORMED"
  /** No attested enclave key on record for the address (matcher not registered, prover not attested). */
  | "PRIVATE_NO_ENCLAVE_KEY"
  /** No connected matcher handed over a key this enclave could unwrap (the cause is the last failure). */
  | "PRIVATE_KEY_UNAVAILABLE";

/** A private input refused or unreadable; branch on `code`. */
export class PrivateInputsError extends KalypsoError<PrivateInputsErrorCode> {}

/** Coded errors of the TEE layer: attestation documents, enclave keys and private inputs. */
import { KalypsoError } from "../../protocol/errors.js";

export type TeeErrorCode =
  // Nitro attestation documents, in the order the verifier checks them
  | "NITRO_MALFORMED"
  | "NITRO_BAD_ALG"
  | "NITRO_UNTRUSTED_ROOT"
  | "NITRO_CHAIN_INVALID"
  | "NITRO_CERT_NOT_YET_VALID"
  | "NITRO_CERT_EXPIRED"
  | "NITRO_BAD_SIGNATURE"
  | "NITRO_DEBUG_MODE"
  | "NITRO_PCR_MISMATCH"
  | "NITRO_STALE"
  | "NITRO_FUTURE_TIMESTAMP"
  // emulated attestations
  | "EMULATED_MALFORMED"
  | "EMULATED_UNTRUSTED_SIGNER"
  | "EMULATED_DEBUG_MODE"
  | "EMULATED_PCR_MISMATCH"
  | "EMULATED_STALE"
  | "EMULATED_FUTURE_TIMESTAMP"
  // enclave keys and the attestation verifier service
  | "ENCLAVE_BAD_KEY"
  | "ENCLAVE_DECRYPT_FAILED"
  | "ATTESTATION_NO_ENCLAVE_KEY"
  | "ATTESTATION_UNKNOWN_KIND"
  // private inputs
  | "INPUTS_MALFORMED"
  | "INPUTS_TAMPERED";

/** An attestation, enclave key or sealed input that must not be trusted: the message says why. */
export class TeeError extends KalypsoError<TeeErrorCode> {}

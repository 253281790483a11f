/**
 * The one interface every TEE provider implements. Roles (matcher, prover) hold an `Enclave` and
 * never know whether it is emulated or hardware: both give an address that signs, a public key that
 * receives wrapped input keys, and an attestation the attestation verifier turns into the same
 * on-chain registration.
 */
import type { Address } from "../../protocol/bytes.js";
import type { EmulatedAttestation } from "./emulated-attestation.js";

/** A real AWS Nitro attestation document (untagged or tagged COSE_Sign1), as the NSM returned it. */
export interface NitroAttestation {
  kind: "nitro";
  document: Uint8Array;
}

/** What `Enclave.attest` returns: a hardware document or an emulated one, never mixed up. */
export type EnclaveAttestation = NitroAttestation | EmulatedAttestation;

/** Options every async enclave call honours. */
export interface EnclaveCallOptions {
  signal?: AbortSignal;
}

/** A trusted execution environment holding one secp256k1 key that never leaves it. */
export interface Enclave {
  /** Which provider: "emulated" runs in this process with a software key (tests, devnets only). */
  readonly kind: "emulated" | "nitro";
  /** Uncompressed secp256k1 public key (65 bytes, 0x04 prefix): ECIES wraps input keys to it. */
  readonly publicKey: Uint8Array;
  /** Ethereum address of the enclave key: what the registry records and batches recover to. */
  readonly address: Address;
  /** Sign a 32-byte digest: 65 bytes r||s||v (low-s, v in {27, 28}), as protocol/signature.ts does. */
  sign(digest: Uint8Array, options?: EnclaveCallOptions): Promise<Uint8Array>;
  /** ECIES-decrypt (eciesjs, secp256k1) a ciphertext addressed to the enclave key; ENCLAVE_DECRYPT_FAILED otherwise. */
  decrypt(ciphertext: Uint8Array, options?: EnclaveCallOptions): Promise<Uint8Array>;
  /** An attestation binding the enclave key, its image measurements and `userData` (at most 1024 bytes). */
  attest(userData: Uint8Array, options?: EnclaveCallOptions): Promise<EnclaveAttestation>;
}

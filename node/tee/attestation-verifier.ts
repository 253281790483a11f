/**
 * The attestation verifier service (Marlin Oyster's model): it checks an enclave's attestation
 * once, off-chain, and signs the cheap EIP-712 `Attestation` the matcher registry checks on-chain.
 * Hardware documents go through the full Nitro verifier; emulated attestations are accepted only
 * when the verifier is configured to trust the emulated attestation key (tests and devnets).
 * The enclave key comes from the attestation itself (a Nitro document's `public_key`), so a
 * registration cannot pair an attested image with some other key.
 */
import type { X509Certificate } from "node:crypto";
import { type Address, type Hex32, toHex } from "../../protocol/bytes.js";
import type { Domain } from "../../protocol/eip712.js";
import type { AttestationPolicy } from "./attestation-policy.js";
import { verifyEmulatedAttestation } from "./emulated-attestation.js";
import type { EnclaveAttestation } from "./enclave.js";
import { enclaveAddress, normalizeEnclaveKey } from "./enclave-key.js";
import { TeeError } from "./errors.js";
import { verifyNitroDocument } from "./nitro-verifier.js";
import { type SignedRegistryAttestation, signRegistryAttestation } from "./registry-attestation.js";

/** How the verifier is set up: whom it signs for, with which key, trusting what. */
export interface AttestationVerifierConfig {
  /** The matcher registry's EIP-712 domain (makeDomain(chainId, registryAddress)). */
  registry: Domain;
  /** The attestation verifier's secp256k1 key; the registry trusts its address. */
  verifierKey: Uint8Array;
  /** The pinned AWS Nitro root. */
  nitroRoot: X509Certificate;
  /** Address of the emulated attestation key to trust; absent: emulated attestations are refused. */
  emulatedSigner?: Address;
  policy: AttestationPolicy;
}

/** A registry attestation plus what the verifier learned, for logs and the caller. */
export interface VerifierResult extends SignedRegistryAttestation {
  kind: EnclaveAttestation["kind"];
  /** keccak256(enclaveKey)[12:]: the address the registry will record. */
  enclaveAddress: Address;
  /** Uncompressed (65-byte) enclave key: what requesters wrap input keys to. */
  publicKey: Uint8Array;
}

/**
 * Verifies `attestation` at `atMs` and signs the registry attestation for it. Throws the
 * verifier's TeeError (NITRO_* / EMULATED_*), ATTESTATION_NO_ENCLAVE_KEY when a Nitro document
 * carries no public_key, or ENCLAVE_BAD_KEY when it is not a secp256k1 key.
 */
export function verifyAndSignAttestation(
  attestation: EnclaveAttestation,
  config: AttestationVerifierConfig,
  atMs: number,
): VerifierResult {
  let rawKey: Uint8Array | null;
  let imageId: Hex32;
  let timestampMs: number;
  if (attestation.kind === "nitro") {
    const doc = verifyNitroDocument(attestation.document, {
      root: config.nitroRoot,
      atMs,
      policy: config.policy,
    });
    rawKey = doc.publicKey;
    imageId = doc.imageId;
    timestampMs = doc.timestampMs;
  } else if (attestation.kind === "emulated") {
    if (config.emulatedSigner === undefined) {
      throw new TeeError(
        "EMULATED_UNTRUSTED_SIGNER",
        "this attestation verifier trusts no emulated attestation key: emulated enclaves are for tests and devnets",
      );
    }
    const v = verifyEmulatedAttestation(attestation, {
      trustedSigner: config.emulatedSigner,
      atMs,
      policy: config.policy,
    });
    rawKey = v.publicKey;
    imageId = v.imageId;
    timestampMs = v.timestampMs;
  } else {
    throw new TeeError(
      "ATTESTATION_UNKNOWN_KIND",
      `unknown attestation kind ${String((attestation as { kind: unknown }).kind)}`,
    );
  }
  if (rawKey === null || rawKey.length === 0) {
    throw new TeeError(
      "ATTESTATION_NO_ENCLAVE_KEY",
      "the attestation carries no public_key: the enclave must put its secp256k1 key there",
    );
  }
  const publicKey = normalizeEnclaveKey(rawKey);
  const signed = signRegistryAttestation(
    config.registry,
    { enclaveKey: toHex(publicKey.subarray(1)), imageId, timestamp: Math.floor(timestampMs / 1000) },
    config.verifierKey,
  );
  return { ...signed, kind: attestation.kind, enclaveAddress: enclaveAddress(publicKey), publicKey };
}

/**
 * The attestation the matcher registry checks on-chain: the attestation verifier signs the EIP-712
 * struct `Attestation(bytes enclaveKey,bytes32 imageId,uint64 timestamp)` under the registry's
 * domain (name "Kalypso", version "1", chain id, registry address), as a raw 65-byte r||s||v over
 * the typed-data digest. `enclaveKey` is the 64-byte secp256k1 public key without the 0x04 prefix;
 * the enclave's address is keccak256(enclaveKey)[12:]. The contract recovers the signer, checks it
 * is a trusted verifier and that the image id is whitelisted: one cheap ECDSA check instead of a
 * hardware document (Marlin Oyster's model).
 */
import { attestationDigest as chainAttestationDigest } from "../../chain/attestation.js";
import { type Address, fromHex, type Hex, type Hex32, toHex } from "../../protocol/bytes.js";
import { type Domain, keccak } from "../../protocol/eip712.js";
import { recoverAddress, signDigest } from "../../protocol/signature.js";
import { TeeError } from "./errors.js";

/** Bytes of an enclave key as the registry takes it: uncompressed secp256k1 without the 0x04 prefix. */
export const ENCLAVE_KEY_BYTES = 64;

/** What the attestation verifier vouches for. */
export interface RegistryAttestation {
  /** 64-byte uncompressed secp256k1 public key of the enclave, without 0x04. */
  enclaveKey: Hex;
  /** keccak256(PCR0 || PCR1 || PCR2) of the enclave image. */
  imageId: Hex32;
  /** When the hardware (or emulated) document was produced, seconds since the epoch. */
  timestamp: number;
}

/** A registry attestation with the verifier's 65-byte r||s||v signature, ready for `register()`. */
export interface SignedRegistryAttestation extends RegistryAttestation {
  signature: Hex;
}

function checkEnclaveKey(enclaveKey: Uint8Array): void {
  if (enclaveKey.length !== ENCLAVE_KEY_BYTES) {
    throw new TeeError(
      "ENCLAVE_BAD_KEY",
      `enclave key is ${enclaveKey.length} bytes, expected ${ENCLAVE_KEY_BYTES} (uncompressed, no 0x04)`,
    );
  }
}

/**
 * The digest the verifier signs and the registry recomputes. One definition, the chain layer's
 * (`chain/attestation.ts`), so the enclave side can never drift from what the contract checks.
 */
export function attestationDigest(registry: Domain, a: RegistryAttestation): Uint8Array {
  const key = fromHex(a.enclaveKey);
  checkEnclaveKey(key);
  return chainAttestationDigest(registry, key, a.imageId, a.timestamp);
}

/** Sign an attestation with an attestation verifier key. */
export function signRegistryAttestation(
  registry: Domain,
  a: RegistryAttestation,
  verifierKey: Uint8Array,
): SignedRegistryAttestation {
  return { ...a, signature: toHex(signDigest(attestationDigest(registry, a), verifierKey)) };
}

/** The verifier that signed `a` (a ProtocolError if the signature is malformed): what the contract does. */
export function recoverAttestationSigner(registry: Domain, a: SignedRegistryAttestation): Address {
  return recoverAddress(attestationDigest(registry, a), fromHex(a.signature));
}

/** The enclave address the registry derives from an enclave key: keccak256(enclaveKey)[12:]. */
export function enclaveKeyToAddress(enclaveKey: Uint8Array): Address {
  checkEnclaveKey(enclaveKey);
  return toHex(keccak(enclaveKey).subarray(12)) as Address;
}

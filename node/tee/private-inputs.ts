/**
 * Private inputs (DESIGN §5): the requester encrypts them with AES-256-GCM under a fresh random
 * key and wraps that key with ECIES to the leader's attested enclave key. At assignment the leader
 * re-wraps the key to the assigned prover's enclave key; the ciphertext never changes, so the
 * request's `secretHash` (keccak256 of the ciphertext) stays valid. Plaintext and keys exist only
 * in these functions' return values: nothing here logs or stores them.
 *
 * Ciphertext layout: iv (12) || AES-256-GCM ciphertext || tag (16), AAD "kalypso.private-inputs.v1".
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { type Address, concat, type Hex32, toHex } from "../../protocol/bytes.js";
import { keccak } from "../../protocol/eip712.js";
import { eciesEncrypt } from "./ecies.js";
import type { Enclave, EnclaveCallOptions } from "./enclave.js";
import { enclaveAddress, normalizeEnclaveKey } from "./enclave-key.js";
import { TeeError } from "./errors.js";

/** AES-256 key bytes. */
export const INPUT_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Binds ciphertexts to this use, so an AES key reused elsewhere cannot be fed ciphertexts from here.
const AAD = new TextEncoder().encode("kalypso.private-inputs.v1");

/** Encrypted inputs and the input key wrapped to one enclave. */
export interface SealedInputs {
  /** iv || ciphertext || tag: what the request carries and `secretHash` commits to. */
  ciphertext: Uint8Array;
  /** The AES key, ECIES-encrypted to the current holder's enclave key. */
  wrappedKey: Uint8Array;
}

/** keccak256 of the ciphertext: the request's `secretHash`. */
export function secretHashOf(ciphertext: Uint8Array): Hex32 {
  return toHex(keccak(ciphertext));
}

/** AES-256-GCM encryption under `key`; `iv` defaults to 12 random bytes (never reuse one with a key). */
export function encryptInputs(
  key: Uint8Array,
  plaintext: Uint8Array,
  iv: Uint8Array = randomBytes(IV_BYTES),
): Uint8Array {
  if (key.length !== INPUT_KEY_BYTES || iv.length !== IV_BYTES) {
    throw new TeeError(
      "INPUTS_MALFORMED",
      `input key must be ${INPUT_KEY_BYTES} bytes and iv ${IV_BYTES} bytes`,
    );
  }
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(AAD);
  const body = concat([cipher.update(plaintext), cipher.final()]);
  return concat([iv, body, cipher.getAuthTag()]);
}

/** AES-256-GCM decryption; INPUTS_TAMPERED when the tag does not verify (altered bytes or another key). */
export function decryptInputs(key: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (key.length !== INPUT_KEY_BYTES)
    throw new TeeError("INPUTS_MALFORMED", `input key is ${key.length} bytes`);
  if (ciphertext.length < IV_BYTES + TAG_BYTES) {
    throw new TeeError(
      "INPUTS_MALFORMED",
      `ciphertext is ${ciphertext.length} bytes, shorter than iv and tag`,
    );
  }
  const iv = ciphertext.subarray(0, IV_BYTES);
  const tag = ciphertext.subarray(ciphertext.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv).setAAD(AAD).setAuthTag(tag);
  try {
    return concat([
      decipher.update(ciphertext.subarray(IV_BYTES, ciphertext.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch (cause) {
    throw new TeeError("INPUTS_TAMPERED", "private inputs fail the AES-GCM tag check: altered in transit", {
      cause,
    });
  }
}

/**
 * Wraps a key to an enclave public key. With `expectedAddress` (the address the registry attested),
 * refuses a public key that is not that enclave's: ENCLAVE_BAD_KEY.
 */
export function wrapInputKey(
  key: Uint8Array,
  enclavePublicKey: Uint8Array,
  expectedAddress?: Address,
): Uint8Array {
  const publicKey = normalizeEnclaveKey(enclavePublicKey);
  if (expectedAddress !== undefined && enclaveAddress(publicKey) !== expectedAddress.toLowerCase()) {
    throw new TeeError(
      "ENCLAVE_BAD_KEY",
      `public key belongs to ${enclaveAddress(publicKey)}, not the attested enclave ${expectedAddress}`,
    );
  }
  return eciesEncrypt(publicKey, key);
}

/** The requester's side: encrypt under a fresh key, wrap the key to the leader's enclave. */
export function sealInputs(
  plaintext: Uint8Array,
  enclavePublicKey: Uint8Array,
  expectedAddress?: Address,
): SealedInputs {
  const key = new Uint8Array(randomBytes(INPUT_KEY_BYTES));
  const ciphertext = encryptInputs(key, plaintext);
  const wrappedKey = wrapInputKey(key, enclavePublicKey, expectedAddress);
  key.fill(0);
  return { ciphertext, wrappedKey };
}

/** Unwraps the input key inside `enclave`; ENCLAVE_DECRYPT_FAILED if it was wrapped to another key. */
export async function unwrapInputKey(
  enclave: Enclave,
  wrappedKey: Uint8Array,
  options: EnclaveCallOptions = {},
): Promise<Uint8Array> {
  const key = await enclave.decrypt(wrappedKey, options);
  if (key.length !== INPUT_KEY_BYTES) {
    throw new TeeError(
      "INPUTS_MALFORMED",
      `unwrapped input key is ${key.length} bytes, expected ${INPUT_KEY_BYTES}`,
    );
  }
  return key;
}

/** The leader's side at assignment: unwrap in its enclave, wrap to the assigned prover's enclave key. */
export async function rewrapInputKey(
  enclave: Enclave,
  wrappedKey: Uint8Array,
  toPublicKey: Uint8Array,
  toAddress?: Address,
  options: EnclaveCallOptions = {},
): Promise<Uint8Array> {
  const key = await unwrapInputKey(enclave, wrappedKey, options);
  try {
    return wrapInputKey(key, toPublicKey, toAddress);
  } finally {
    key.fill(0);
  }
}

/** The prover's side: unwrap in its enclave and decrypt. */
export async function openInputs(
  enclave: Enclave,
  sealed: SealedInputs,
  options: EnclaveCallOptions = {},
): Promise<Uint8Array> {
  const key = await unwrapInputKey(enclave, sealed.wrappedKey, options);
  try {
    return decryptInputs(key, sealed.ciphertext);
  } finally {
    key.fill(0);
  }
}

/**
 * ECIES to an enclave's secp256k1 key (eciesjs: ephemeral secp256k1 ECDH, HKDF-SHA256,
 * AES-256-GCM). The configuration is pinned here rather than read from eciesjs's mutable global,
 * so a setting changed elsewhere in the process cannot make wrapped keys unreadable.
 */
import { decrypt, encrypt } from "eciesjs";
import { Config } from "eciesjs/config";
import { TeeError } from "./errors.js";

const CONFIG = Object.freeze(new Config());

/** Encrypts `data` to a secp256k1 public key (33 or 65 bytes). */
export function eciesEncrypt(publicKey: Uint8Array, data: Uint8Array): Uint8Array {
  return encrypt(publicKey, data, CONFIG);
}

/** Decrypts with the enclave's private key; ENCLAVE_DECRYPT_FAILED when the ciphertext is not for it. */
export function eciesDecrypt(privateKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  try {
    return decrypt(privateKey, ciphertext, CONFIG);
  } catch (cause) {
    // The GCM tag check cannot tell "another key" from "tampered": both mean "not readable here".
    throw new TeeError(
      "ENCLAVE_DECRYPT_FAILED",
      "ciphertext is not addressed to this enclave's key, or was altered",
      { cause },
    );
  }
}

/**
 * Enclave public keys. An enclave holds one secp256k1 key: its address signs batches, its public key
 * receives ECIES-wrapped input keys. Keys arrive in three shapes (a Nitro document's `public_key` is
 * whatever the enclave put there; Oyster puts the 64-byte x||y) and are normalised to the 65-byte
 * uncompressed form here, after checking the point is on the curve.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { Address } from "../../protocol/bytes.js";
import { publicKeyToAddress } from "../../protocol/signature.js";
import { TeeError } from "./errors.js";

/** Uncompressed secp256k1 public key (65 bytes, 0x04 prefix). */
export const UNCOMPRESSED_KEY_BYTES = 65;

/**
 * The 65-byte uncompressed form of a secp256k1 public key given as 64 bytes (x||y), 65 bytes
 * (0x04||x||y) or 33 bytes (compressed); ENCLAVE_BAD_KEY when it is none of these or off the curve.
 */
export function normalizeEnclaveKey(key: Uint8Array): Uint8Array {
  let bytes = key;
  if (key.length === 64) {
    bytes = new Uint8Array(65);
    bytes[0] = 4;
    bytes.set(key, 1);
  } else if (key.length !== 65 && key.length !== 33) {
    throw new TeeError("ENCLAVE_BAD_KEY", `enclave key is ${key.length} bytes: expected 33, 64 or 65`);
  }
  try {
    return secp256k1.Point.fromBytes(bytes).toBytes(false);
  } catch (cause) {
    throw new TeeError("ENCLAVE_BAD_KEY", "enclave key is not a point on secp256k1", { cause });
  }
}

/** The 64-byte key the registry takes (x||y, no 0x04) of a 65-byte uncompressed key. */
export function registryEnclaveKey(uncompressed: Uint8Array): Uint8Array {
  return normalizeEnclaveKey(uncompressed).subarray(1);
}

/** The Ethereum address of an enclave key in any accepted shape. */
export function enclaveAddress(key: Uint8Array): Address {
  return publicKeyToAddress(normalizeEnclaveKey(key));
}

/**
 * secp256k1 signing and address recovery over 32-byte digests. Two implementations give identical
 * results: the native libsecp256k1 binding (~35x faster: recovery is the cost of validating gossip)
 * and a pure-JS fallback (@noble/curves) for platforms without the prebuilt binary.
 * Signatures are 65 bytes r || s || v with v in {27, 28}, as Solidity's ecrecover takes them;
 * high-s (malleable) signatures and zero r or s are rejected before any curve arithmetic.
 */
import { createRequire } from "node:module";
import { secp256k1 as noble } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Address } from "./bytes.js";
import { fromHex, toHex } from "./bytes.js";
import { reject } from "./errors.js";

export const SIGNATURE_BYTES = 65;

/** Half the curve order, big-endian: s must not exceed it (EIP-2). */
const HALF_ORDER = fromHex("0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");

/** One implementation of the curve operations the protocol needs. */
export interface Secp256k1Backend {
  readonly name: "native" | "noble";
  /** Sign a 32-byte digest; returns 65 bytes r || s || v (low-s, v in {27, 28}). */
  sign(digest: Uint8Array, privateKey: Uint8Array): Uint8Array;
  /** Uncompressed public key (65 bytes, 0x04 prefix) of the signer, or throws. */
  recoverPublicKey(digest: Uint8Array, rs: Uint8Array, recid: number): Uint8Array;
  /** Uncompressed public key of a private key. */
  publicKey(privateKey: Uint8Array): Uint8Array;
}

interface NativeSecp256k1 {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyCreate(seckey: Uint8Array, compressed: boolean): Uint8Array;
}

/** Pure-JS implementation: always available. */
export const nobleBackend: Secp256k1Backend = {
  name: "noble",
  sign(digest, privateKey) {
    // noble's "recovered" format puts the recovery byte first.
    const rec = noble.sign(digest, privateKey, { prehash: false, lowS: true, format: "recovered" });
    const out = new Uint8Array(SIGNATURE_BYTES);
    out.set(rec.subarray(1, 65), 0);
    out[64] = 27 + rec[0]!;
    return out;
  },
  recoverPublicKey(digest, rs, recid) {
    const rec = new Uint8Array(65);
    rec[0] = recid;
    rec.set(rs, 1);
    return noble.Signature.fromBytes(rec, "recovered").recoverPublicKey(digest).toBytes(false);
  },
  publicKey(privateKey) {
    return noble.getPublicKey(privateKey, false);
  },
};

function loadNative(): Secp256k1Backend | undefined {
  try {
    const require = createRequire(import.meta.url);
    const lib = require("secp256k1/bindings.js") as NativeSecp256k1;
    return {
      name: "native",
      sign(digest, privateKey) {
        const { signature, recid } = lib.ecdsaSign(digest, privateKey);
        const out = new Uint8Array(SIGNATURE_BYTES);
        out.set(signature, 0);
        out[64] = 27 + recid;
        return out;
      },
      recoverPublicKey(digest, rs, recid) {
        return lib.ecdsaRecover(rs, recid, digest, false);
      },
      publicKey(privateKey) {
        return lib.publicKeyCreate(privateKey, false);
      },
    };
  } catch {
    return undefined;
  }
}

/** The native backend when its binary loaded, else undefined. */
export const nativeBackend: Secp256k1Backend | undefined = loadNative();

/** The fastest backend available here. */
export const defaultBackend: Secp256k1Backend = nativeBackend ?? nobleBackend;

/** Ethereum address of an uncompressed public key. */
export function publicKeyToAddress(publicKey: Uint8Array): Address {
  return toHex(keccak_256(publicKey.subarray(1)).subarray(12)) as Address;
}

/** Ethereum address of a private key. */
export function privateKeyToAddress(privateKey: Uint8Array, backend = defaultBackend): Address {
  return publicKeyToAddress(backend.publicKey(privateKey));
}

/** Sign a digest: 65 bytes r || s || v. */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array, backend = defaultBackend): Uint8Array {
  return backend.sign(digest, privateKey);
}

function isZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}

function isHighS(sig: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) {
    const a = sig[32 + i]!;
    const b = HALF_ORDER[i]!;
    if (a !== b) return a > b;
  }
  return false;
}

/**
 * The address that signed `digest`, or a REJECT error: malformed (length, v, zero r or s), high-s,
 * or no point recovers. Never returns the zero address.
 */
export function recoverAddress(digest: Uint8Array, signature: Uint8Array, backend = defaultBackend): Address {
  // [REJECT] signature is exactly 65 bytes with v in {27, 28}
  if (signature.length !== SIGNATURE_BYTES) {
    throw reject(
      "SIGNATURE_MALFORMED",
      `signature is ${signature.length} bytes, expected ${SIGNATURE_BYTES}`,
    );
  }
  const v = signature[64]!;
  if (v !== 27 && v !== 28) throw reject("SIGNATURE_MALFORMED", `signature v ${v} is not 27 or 28`);
  // [REJECT] r and s are non-zero
  if (isZero(signature, 0, 32) || isZero(signature, 32, 64)) {
    throw reject("SIGNATURE_MALFORMED", "signature r or s is zero");
  }
  // [REJECT] s is in the lower half of the order (no malleable twin of a valid signature)
  if (isHighS(signature)) throw reject("SIGNATURE_HIGH_S", "signature s is above half the curve order");
  let pub: Uint8Array;
  try {
    pub = backend.recoverPublicKey(digest, signature.subarray(0, 64), v - 27);
  } catch (cause) {
    throw reject("SIGNATURE_UNRECOVERABLE", `no public key recovers from the signature (${String(cause)})`);
  }
  return publicKeyToAddress(pub);
}

/** `recoverAddress` for a 0x-hex signature. */
export function recoverAddressHex(digest: Uint8Array, signature: string, backend = defaultBackend): Address {
  let sig: Uint8Array;
  try {
    sig = fromHex(signature);
  } catch {
    throw reject("SIGNATURE_MALFORMED", "signature is not hex");
  }
  return recoverAddress(digest, sig, backend);
}

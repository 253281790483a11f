/**
 * COSE_Sign1 (RFC 9052) as AWS Nitro emits it: `[protected: bstr, unprotected: map, payload: bstr,
 * signature: bstr]`, untagged or under tag 18. Only ES384 (alg -35) is accepted. The signed bytes
 * are the Sig_structure `["Signature1", protected, h'', payload]` built from the protected header
 * and payload bytes exactly as carried: re-encoding a decoded payload could change its bytes.
 */
import { decode, encode } from "cborg";
import { TeeError } from "./errors.js";

/** COSE algorithm id of ECDSA P-384 with SHA-384. */
export const COSE_ALG_ES384 = -35;

/** COSE header label of the algorithm. */
const HEADER_ALG = 1;

/** CBOR tag of COSE_Sign1. */
const COSE_SIGN1_TAG = 18;

/** Bytes of a raw r||s ES384 signature. */
export const ES384_SIGNATURE_BYTES = 96;

/** A parsed COSE_Sign1 whose algorithm is ES384; the signature is not checked yet. */
export interface CoseSign1 {
  /** Protected header bytes as carried. */
  protectedHeader: Uint8Array;
  /** Payload bytes as carried. */
  payload: Uint8Array;
  /** Raw r||s, 96 bytes. */
  signature: Uint8Array;
  tagged: boolean;
}

class Tagged {
  constructor(readonly value: unknown) {}
}

/** Decodes CBOR with maps as `Map` (COSE and Nitro use integer keys); NITRO_MALFORMED on any error. */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return decode(bytes, {
      useMaps: true,
      rejectDuplicateMapKeys: true,
      tags: { [COSE_SIGN1_TAG]: (content) => new Tagged(content()) },
    });
  } catch (cause) {
    throw new TeeError("NITRO_MALFORMED", `${what} is not valid CBOR: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function malformed(message: string): TeeError {
  return new TeeError("NITRO_MALFORMED", message);
}

/** Parses a COSE_Sign1; NITRO_MALFORMED for a wrong shape, NITRO_BAD_ALG for anything but ES384. */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  let top = decodeCbor(bytes, "attestation document");
  const tagged = top instanceof Tagged;
  if (top instanceof Tagged) top = top.value;
  if (!Array.isArray(top) || top.length !== 4) {
    throw malformed("attestation document is not a 4-element COSE_Sign1 array");
  }
  const [protectedHeader, unprotected, payload, signature] = top as unknown[];
  if (!(protectedHeader instanceof Uint8Array)) throw malformed("COSE protected header is not a byte string");
  if (!(unprotected instanceof Map)) throw malformed("COSE unprotected header is not a map");
  if (!(payload instanceof Uint8Array)) throw malformed("COSE payload is not a byte string");
  if (!(signature instanceof Uint8Array)) throw malformed("COSE signature is not a byte string");
  const header =
    protectedHeader.length === 0 ? new Map() : decodeCbor(protectedHeader, "COSE protected header");
  if (!(header instanceof Map)) throw malformed("COSE protected header does not hold a map");
  const alg = header.get(HEADER_ALG);
  // The algorithm must be protected: an unprotected alg could be swapped without breaking the signature.
  if (alg !== COSE_ALG_ES384) {
    throw new TeeError(
      "NITRO_BAD_ALG",
      `COSE protected alg is ${String(alg)}, expected ${COSE_ALG_ES384} (ES384)`,
    );
  }
  if (signature.length !== ES384_SIGNATURE_BYTES) {
    throw malformed(
      `COSE signature is ${signature.length} bytes, expected ${ES384_SIGNATURE_BYTES} (raw r||s)`,
    );
  }
  return { protectedHeader, payload, signature, tagged };
}

/** The bytes ES384 signs: CBOR `["Signature1", protected, h'', payload]`. */
export function sigStructure(cose: CoseSign1): Uint8Array {
  return encode(["Signature1", cose.protectedHeader, new Uint8Array(0), cose.payload]);
}

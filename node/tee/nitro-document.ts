/**
 * The payload of a Nitro attestation document (AWS "Verifying the root of trust"): a CBOR map with
 * module_id, digest, timestamp (ms), pcrs, certificate, cabundle, and the optional public_key,
 * user_data and nonce. Shapes and bounds are AWS's; anything outside them is NITRO_MALFORMED.
 */
import { decodeCbor } from "./cose-sign1.js";
import { TeeError } from "./errors.js";
import { PCR_BYTES, type Pcrs012 } from "./image-id.js";

/** Largest optional field (public_key, user_data, nonce) and certificate AWS produces. */
export const MAX_FIELD_BYTES = 1024;
/** Nitro has at most 32 PCRs. */
const MAX_PCRS = 32;

/** The fields of a Nitro attestation document, as carried. */
export interface NitroDocument {
  moduleId: string;
  digest: "SHA384";
  /** Milliseconds since the epoch, from the Nitro hypervisor's clock. */
  timestampMs: number;
  /** Every PCR in the document, by index. */
  pcrs: ReadonlyMap<number, Uint8Array>;
  /** PCR0-2: image, kernel and application measurements. */
  pcr012: Pcrs012;
  /** DER of the leaf certificate that signs the document. */
  certificate: Uint8Array;
  /** DER certificates from the root (index 0) to the leaf's issuer. */
  cabundle: readonly Uint8Array[];
  /** Absent fields are null; a present empty byte string stays empty. */
  publicKey: Uint8Array | null;
  userData: Uint8Array | null;
  nonce: Uint8Array | null;
}

function malformed(message: string): TeeError {
  return new TeeError("NITRO_MALFORMED", message);
}

function bytesField(value: unknown, name: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed(`${name} is not a byte string`);
  if (value.length < min || value.length > max) {
    throw malformed(`${name} is ${value.length} bytes, expected ${min}..${max}`);
  }
  return value;
}

function optionalBytes(value: unknown, name: string): Uint8Array | null {
  if (value === null || value === undefined) return null;
  return bytesField(value, name, 0, MAX_FIELD_BYTES);
}

function uintField(value: unknown, name: string): number {
  const n = typeof value === "bigint" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n <= 0) {
    throw malformed(`${name} is not a positive integer`);
  }
  return n;
}

/** Parses and bounds-checks the payload of a COSE_Sign1 attestation document. */
export function parseNitroDocument(payload: Uint8Array): NitroDocument {
  const map = decodeCbor(payload, "attestation payload");
  if (!(map instanceof Map)) throw malformed("attestation payload is not a map");
  const moduleId = map.get("module_id");
  if (typeof moduleId !== "string" || moduleId.length === 0)
    throw malformed("module_id is not a non-empty text");
  const digest = map.get("digest");
  if (digest !== "SHA384") throw malformed(`digest is ${String(digest)}, expected SHA384`);
  const timestampMs = uintField(map.get("timestamp"), "timestamp");
  const rawPcrs = map.get("pcrs");
  if (!(rawPcrs instanceof Map) || rawPcrs.size === 0 || rawPcrs.size > MAX_PCRS) {
    throw malformed(`pcrs is not a map of 1..${MAX_PCRS} entries`);
  }
  const pcrs = new Map<number, Uint8Array>();
  for (const [index, value] of rawPcrs) {
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= MAX_PCRS) {
      throw malformed(`pcr index ${String(index)} is not in 0..${MAX_PCRS - 1}`);
    }
    pcrs.set(index, bytesField(value, `pcr${index}`, PCR_BYTES, PCR_BYTES));
  }
  const pcr012 = [0, 1, 2].map((i) => {
    const p = pcrs.get(i);
    if (p === undefined) throw malformed(`pcr${i} is missing`);
    return p;
  }) as unknown as Pcrs012;
  const certificate = bytesField(map.get("certificate"), "certificate", 1, MAX_FIELD_BYTES);
  const rawBundle = map.get("cabundle");
  if (!Array.isArray(rawBundle) || rawBundle.length === 0)
    throw malformed("cabundle is not a non-empty array");
  const cabundle = rawBundle.map((c, i) => bytesField(c, `cabundle[${i}]`, 1, MAX_FIELD_BYTES));
  return {
    moduleId,
    digest,
    timestampMs,
    pcrs,
    pcr012,
    certificate,
    cabundle,
    publicKey: optionalBytes(map.get("public_key"), "public_key"),
    userData: optionalBytes(map.get("user_data"), "user_data"),
    nonce: optionalBytes(map.get("nonce"), "nonce"),
  };
}

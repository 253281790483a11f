/**
 * Hex and byte helpers. Hex strings in the protocol are always lowercase, 0x-prefixed and of fixed
 * width for their type, so that equal values compare equal as strings.
 */

/** 20-byte address as lowercase 0x-hex. */
export type Address = `0x${string}`;
/** 32-byte value (a hash, a message id) as lowercase 0x-hex. */
export type Hex32 = `0x${string}`;
/** Any byte string as lowercase 0x-hex. */
export type Hex = `0x${string}`;

export const ZERO_ADDRESS: Address = `0x${"00".repeat(20)}`;
export const ZERO_HASH: Hex32 = `0x${"00".repeat(32)}`;

const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;

/** Bytes to lowercase 0x-hex. */
export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** 0x-hex to bytes; throws TypeError on anything that is not even-length hex. */
export function fromHex(hex: string): Uint8Array {
  if (!HEX_RE.test(hex)) throw new TypeError(`not 0x-prefixed even-length hex: ${hex.slice(0, 20)}`);
  const buf = Buffer.from(hex.slice(2), "hex");
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** True if `hex` is 0x-hex of exactly `bytes` bytes. */
export function isHexOfLength(hex: unknown, bytes: number): hex is Hex {
  return typeof hex === "string" && hex.length === 2 + 2 * bytes && HEX_RE.test(hex);
}

/** Concatenate byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Write `value` (0 <= value < 2^256) big-endian into 32 bytes of `out` at `offset`. */
export function writeUint256(out: Uint8Array, offset: number, value: bigint): void {
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Read a big-endian unsigned 256-bit integer from 32 bytes of `src` at `offset`. */
export function readUint256(src: Uint8Array, offset: number): bigint {
  // Four 64-bit reads are much faster than 32 byte-wise shifts.
  const view = new DataView(src.buffer, src.byteOffset + offset, 32);
  return (
    (view.getBigUint64(0) << 192n) |
    (view.getBigUint64(8) << 128n) |
    (view.getBigUint64(16) << 64n) |
    view.getBigUint64(24)
  );
}

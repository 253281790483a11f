/**
 * Canonical binary writer: fixed-width big-endian integers, fixed-width addresses and hashes,
 * u32-length-prefixed byte strings. A value that does not fit its field is a caller bug and throws
 * INVALID_FIELD naming the field.
 */
import { isHexOfLength } from "../bytes.js";
import { reject } from "../errors.js";

const MAX_U256 = (1n << 256n) - 1n;
const MAX_U64 = (1n << 64n) - 1n;

export class Writer {
  private buf: Buffer;
  private o = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private room(n: number): void {
    if (this.o + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.o + n));
    this.buf.copy(next, 0, 0, this.o);
    this.buf = next;
  }

  u8(v: number, field: string): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff)
      throw reject("INVALID_FIELD", `${field} ${v} is not a uint8`);
    this.room(1);
    this.buf[this.o++] = v;
    return this;
  }

  bool(v: boolean, field: string): this {
    if (typeof v !== "boolean") throw reject("INVALID_FIELD", `${field} is not a boolean`);
    return this.u8(v ? 1 : 0, field);
  }

  u32(v: number, field: string): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw reject("INVALID_FIELD", `${field} ${v} is not a uint32`);
    }
    this.room(4);
    this.buf.writeUInt32BE(v, this.o);
    this.o += 4;
    return this;
  }

  /** uint64 carried as a safe integer (times, ids, counts). */
  u64(v: number, field: string): this {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw reject("INVALID_FIELD", `${field} ${v} is not a non-negative safe integer`);
    }
    this.room(8);
    this.buf.writeUInt32BE(Math.floor(v / 0x100000000), this.o);
    this.buf.writeUInt32BE(v >>> 0, this.o + 4);
    this.o += 8;
    return this;
  }

  /** uint64 carried as a bigint (nonces use the full range). */
  u64big(v: bigint, field: string): this {
    if (typeof v !== "bigint" || v < 0n || v > MAX_U64)
      throw reject("INVALID_FIELD", `${field} ${v} is not a uint64`);
    this.room(8);
    this.buf.writeBigUInt64BE(v, this.o);
    this.o += 8;
    return this;
  }

  u256(v: bigint, field: string): this {
    if (typeof v !== "bigint" || v < 0n || v > MAX_U256) {
      throw reject("INVALID_FIELD", `${field} ${v} is not a uint256`);
    }
    this.room(32);
    this.buf.writeBigUInt64BE(v >> 192n, this.o);
    this.buf.writeBigUInt64BE((v >> 128n) & MAX_U64, this.o + 8);
    this.buf.writeBigUInt64BE((v >> 64n) & MAX_U64, this.o + 16);
    this.buf.writeBigUInt64BE(v & MAX_U64, this.o + 24);
    this.o += 32;
    return this;
  }

  /** Fixed-width hex value (address: 20, hash: 32, signature: 65 bytes). */
  fixedHex(hex: string, bytes: number, field: string): this {
    if (!isHexOfLength(hex, bytes)) throw reject("INVALID_FIELD", `${field} is not ${bytes}-byte 0x-hex`);
    this.room(bytes);
    this.buf.write(hex.slice(2), this.o, bytes, "hex");
    this.o += bytes;
    return this;
  }

  /** u32 length, then the bytes; `max` is the protocol's bound for the field. */
  bytes(b: Uint8Array, max: number, field: string): this {
    if (!(b instanceof Uint8Array)) throw reject("INVALID_FIELD", `${field} is not bytes`);
    if (b.length > max)
      throw reject("INVALID_FIELD", `${field} is ${b.length} bytes, at most ${max} allowed`);
    this.u32(b.length, field);
    this.raw(b);
    return this;
  }

  raw(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.o);
    this.o += b.length;
    return this;
  }

  /** Current length, e.g. to back-patch a length prefix. */
  get length(): number {
    return this.o;
  }

  patchU32(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at);
  }

  /** The bytes written, as a copy the writer no longer touches. */
  finish(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.o));
  }
}

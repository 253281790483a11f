/**
 * Strict canonical binary reader. Every read names its field, so an error says which field of which
 * message was truncated, out of range or non-canonical. All errors are REJECT: an honest encoder
 * never produces them.
 */
import type { Hex } from "../bytes.js";
import { reject } from "../errors.js";

export class Reader {
  private readonly buf: Buffer;
  private o = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.o;
  }

  get remaining(): number {
    return this.buf.length - this.o;
  }

  private need(n: number, field: string): void {
    if (this.o + n > this.buf.length) {
      throw reject(
        "DECODE_TRUNCATED",
        `${field} truncated at byte ${this.o}: needs ${n} bytes, ${this.buf.length - this.o} left`,
      );
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.o++]!;
  }

  bool(field: string): boolean {
    const v = this.u8(field);
    // [REJECT] booleans are exactly 0 or 1: any other byte would give one value two encodings
    if (v > 1) throw reject("DECODE_NON_CANONICAL", `${field} boolean byte is ${v}, expected 0 or 1`);
    return v === 1;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.o);
    this.o += 4;
    return v;
  }

  /** uint64 that must fit a safe integer (times, ids, counts). */
  u64(field: string): number {
    this.need(8, field);
    const hi = this.buf.readUInt32BE(this.o);
    const lo = this.buf.readUInt32BE(this.o + 4);
    // [REJECT] values above 2^53 - 1 cannot be times or ids: they are out of the protocol's range
    if (hi > 0x1fffff) {
      throw reject("DECODE_OUT_OF_RANGE", `${field} exceeds 2^53 - 1 (high word ${hi})`);
    }
    this.o += 8;
    return hi * 0x100000000 + lo;
  }

  u64big(field: string): bigint {
    this.need(8, field);
    const v = this.buf.readBigUInt64BE(this.o);
    this.o += 8;
    return v;
  }

  u256(field: string): bigint {
    this.need(32, field);
    const b = this.buf;
    const o = this.o;
    const v =
      (b.readBigUInt64BE(o) << 192n) |
      (b.readBigUInt64BE(o + 8) << 128n) |
      (b.readBigUInt64BE(o + 16) << 64n) |
      b.readBigUInt64BE(o + 24);
    this.o += 32;
    return v;
  }

  /** Fixed-width value as lowercase 0x-hex. */
  fixedHex(bytes: number, field: string): Hex {
    this.need(bytes, field);
    const hex = this.buf.toString("hex", this.o, this.o + bytes);
    this.o += bytes;
    return `0x${hex}`;
  }

  /** u32 length then that many bytes; `max` is the protocol's bound for the field. */
  bytes(max: number, field: string): Uint8Array {
    const len = this.u32(`${field}.length`);
    // [REJECT] a field longer than its protocol bound
    if (len > max) throw reject("DECODE_OVERSIZED", `${field} is ${len} bytes, at most ${max} allowed`);
    this.need(len, field);
    const out = new Uint8Array(this.buf.subarray(this.o, this.o + len));
    this.o += len;
    return out;
  }

  /** A view of the next `n` bytes, without copying. */
  view(n: number, field: string): Uint8Array {
    this.need(n, field);
    const v = this.buf.subarray(this.o, this.o + n);
    this.o += n;
    return v;
  }

  /** [REJECT] nothing may follow the last field: trailing bytes would give one message many encodings. */
  end(what: string): void {
    if (this.o !== this.buf.length) {
      throw reject(
        "DECODE_TRAILING_BYTES",
        `${what} has ${this.buf.length - this.o} trailing bytes after byte ${this.o}`,
      );
    }
  }
}

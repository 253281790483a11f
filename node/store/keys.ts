/** Fixed-width keys that sort the way they are scanned (sequence numbers big-endian). */
import { fromHex, type Hex32, toHex } from "../../protocol/index.js";

export function seqKey(seq: number): Uint8Array {
  const k = new Uint8Array(8);
  new DataView(k.buffer).setBigUint64(0, BigInt(seq));
  return k;
}

export function seqFromKey(k: Uint8Array): number {
  return Number(new DataView(k.buffer, k.byteOffset, 8).getBigUint64(0));
}

export function hashKey(h: Hex32): Uint8Array {
  return fromHex(h);
}

export function hashFromKey(k: Uint8Array): Hex32 {
  return toHex(k) as Hex32;
}

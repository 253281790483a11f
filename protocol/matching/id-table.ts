/**
 * A hash table from 0x-hex ids (request ids, prover addresses) to the engine's records, for the
 * lookups every event makes. A `Map` keyed by the id strings costs several cache misses per lookup:
 * its chains hold pointers to key strings that live elsewhere on the heap, and a string that is equal
 * but not the same object (every id arriving in a message) is compared by reading the stored one. Here
 * a lookup probes one typed array holding the last 64 bits of each id (ids are hashes, so 64 bits tell
 * them apart; the last ones also vary between small test numbers) and reads a stored key only when
 * those 64 bits match, to stay exact.
 *
 * Open addressing with linear probing, deletion by backward shift (no tombstones). A slot is in use
 * when it holds a record: the records array is read on every probe anyway (a hit returns its record,
 * an insert writes it), so the typed array holds the 64 bits alone, 8 bytes a slot, and more of the
 * table stays in cache (with a flag word padded to 16 bytes, the same table took twice the memory).
 * The slot hash is
 * keyed by a seed: ids are chosen by their signers, who could grind ids into one probe chain if the
 * slots were predictable (V8 seeds its string hashes for the same reason). The seed changes only
 * where records sit in the table, never what matching does.
 */

import { hexDigit } from "./state-digest.js";

/** Slots per table before the first growth. */
const INITIAL_SLOTS = 16;

/**
 * The `n`th 32-bit word from the end of a hex string (n = 1 is the last eight digits), as an int32.
 * Digits are read in place: no substring, no parse. A string too short reads as zeros (its exact
 * compare still tells it apart).
 */
export function tailWord(hex: string, n: number): number {
  let w = 0;
  const end = hex.length - 8 * (n - 1);
  for (let k = Math.max(0, end - 8); k < end; k++) {
    const c = hex.charCodeAt(k);
    w = (w << 4) | hexDigit(c);
  }
  return w | 0;
}

/** Records by 0x-hex id. Reads have the shape of a `Map`'s. */
export class IdTable<K extends string, V> {
  /** Slot i's id words at 2i (last word) and 2i + 1 (the one before); meaningful while records[i] is set. */
  private words = new Int32Array(INITIAL_SLOTS * 2);
  private records: (V | undefined)[] = new Array(INITIAL_SLOTS).fill(undefined);
  private mask = INITIAL_SLOTS - 1;
  private count = 0;

  /**
   * `keyOf` reads a record's id; `seed` keys the slot hash; `same` confirms a 64-bit match (by
   * default `keyOf(v) === key`, which reads the stored id string, often a cache miss of its own).
   */
  constructor(
    private readonly keyOf: (v: V) => K,
    private readonly seed = 0,
    private readonly same: (v: V, key: K) => boolean = (v, key) => keyOf(v) === key,
  ) {}

  get size(): number {
    return this.count;
  }

  get(key: K): V | undefined {
    return this.getAt(key, tailWord(key, 1), tailWord(key, 2));
  }

  /** `get` for a caller that has the key's words already (`tailWord(key, 1)`, `tailWord(key, 2)`). */
  getAt(key: K, w0: number, w1: number): V | undefined {
    const i = this.find(key, w0, w1);
    return i < 0 ? undefined : this.records[i];
  }

  has(key: K): boolean {
    return this.find(key, tailWord(key, 1), tailWord(key, 2)) >= 0;
  }

  /** Add or replace the record of `key`. */
  set(key: K, value: V): void {
    const w0 = tailWord(key, 1);
    const w1 = tailWord(key, 2);
    const i = this.find(key, w0, w1);
    if (i >= 0) {
      this.records[i] = value;
      return;
    }
    if ((this.count + 1) * 2 > this.records.length) this.grow();
    this.place(w0, w1, value);
    this.count++;
  }

  /**
   * Add `value` under `key` unless the key is already there: one probe where `has` then `set` take
   * two. False, with nothing changed, when the key is present.
   */
  add(key: K, value: V): boolean {
    return this.addAt(key, tailWord(key, 1), tailWord(key, 2), value);
  }

  /** `add` for a caller that has the key's words already (`tailWord(key, 1)`, `tailWord(key, 2)`). */
  addAt(key: K, w0: number, w1: number, value: V): boolean {
    if ((this.count + 1) * 2 > this.records.length) this.grow();
    const ws = this.words;
    const rs = this.records;
    const mask = this.mask;
    let i = this.slotOf(w0, w1);
    for (let r = rs[i]; r !== undefined; i = (i + 1) & mask, r = rs[i]) {
      if (ws[2 * i] === w0 && ws[2 * i + 1] === w1 && this.same(r, key)) return false;
    }
    ws[2 * i] = w0;
    ws[2 * i + 1] = w1;
    rs[i] = value;
    this.count++;
    return true;
  }

  delete(key: K): boolean {
    let i = this.find(key, tailWord(key, 1), tailWord(key, 2));
    if (i < 0) return false;
    this.count--;
    const ws = this.words;
    const rs = this.records;
    const mask = this.mask;
    // Backward shift: pull later entries of the chain into the hole unless their home slot lies
    // cyclically after the hole (then they would move before their home and be lost to lookups).
    for (let j = (i + 1) & mask; rs[j] !== undefined; j = (j + 1) & mask) {
      const home = this.slotOf(ws[2 * j]!, ws[2 * j + 1]!);
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      ws[2 * i] = ws[2 * j]!;
      ws[2 * i + 1] = ws[2 * j + 1]!;
      rs[i] = rs[j];
      i = j;
    }
    ws[2 * i] = 0;
    ws[2 * i + 1] = 0;
    rs[i] = undefined;
    return true;
  }

  /** Every record, in no particular order (it depends on the seed). */
  *[Symbol.iterator](): IterableIterator<[K, V]> {
    for (const v of this.records) if (v !== undefined) yield [this.keyOf(v), v];
  }

  *keys(): IterableIterator<K> {
    for (const v of this.records) if (v !== undefined) yield this.keyOf(v);
  }

  *values(): IterableIterator<V> {
    for (const v of this.records) if (v !== undefined) yield v;
  }

  private slotOf(w0: number, w1: number): number {
    // murmur3's finalizer over both words, each keyed by the seed.
    let h = Math.imul(w0 ^ this.seed, 0xcc9e2d51) ^ Math.imul(w1 ^ ~this.seed, 0x1b873593);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h & this.mask;
  }

  private find(key: K, w0: number, w1: number): number {
    const ws = this.words;
    const rs = this.records;
    const mask = this.mask;
    let i = this.slotOf(w0, w1);
    for (let r = rs[i]; r !== undefined; i = (i + 1) & mask, r = rs[i]) {
      if (ws[2 * i] === w0 && ws[2 * i + 1] === w1 && this.same(r, key)) return i;
    }
    return -1;
  }

  private place(w0: number, w1: number, value: V): void {
    const ws = this.words;
    const rs = this.records;
    const mask = this.mask;
    let i = this.slotOf(w0, w1);
    while (rs[i] !== undefined) i = (i + 1) & mask;
    ws[2 * i] = w0;
    ws[2 * i + 1] = w1;
    rs[i] = value;
  }

  private grow(): void {
    const oldWords = this.words;
    const oldRecords = this.records;
    const slots = oldRecords.length * 2;
    this.words = new Int32Array(slots * 2);
    this.records = new Array(slots).fill(undefined);
    this.mask = slots - 1;
    for (let i = 0; i < oldRecords.length; i++) {
      const r = oldRecords[i];
      if (r !== undefined) this.place(oldWords[2 * i]!, oldWords[2 * i + 1]!, r);
    }
  }
}

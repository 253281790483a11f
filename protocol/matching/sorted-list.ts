/**
 * An ordered set kept as a list of sorted chunks (a one-level B-tree, as Python's sortedcontainers
 * does): binary search over chunk heads, then within the chunk. Insert and remove are O(log n) to
 * find plus a shift of at most CHUNK_SIZE entries; iteration from the smallest is a plain array walk,
 * which is what matching does most. Keys must be unique under `compare`.
 *
 * Chunks hold numbers only, in typed arrays: each entry's slot (its index in `items`), `key` and
 * `tie`. A search compares the numbers and touches an entry (scattered over the heap: a likely cache
 * miss) only when both tie; a shift is a memmove, with no write barrier per moved pointer.
 *
 * An entry goes in at the end of its chunk, and a chunk is sorted when it is next read in order (a
 * search of the book, a split, an iteration): most chunks of a deep book are not read between two
 * inserts, and a search plus a shift of three cold arrays per insert was the larger part of a quote
 * refresh. The first entry of a chunk is its smallest all the same (see `sortedTo`).
 */

import { ChunkSorter } from "./chunk-sort.js";

/**
 * Entries per chunk before it splits. An insert appends and a split sorts, so no insert shifts: the
 * size trades a sort per ~size/2 inserts against more chunks (splits, their arrays, the search over
 * heads). 1024 measured best on the matching bench (256, 512 and 2048 slower).
 */
export const CHUNK_SIZE = 1024;

/** Up to this many appended entries, `sortChunk` places each by binary search instead of sorting. */
const FEW_APPENDED = 8;

/** What the list keeps on each entry: the slot of its entry, so that `discard` needs no search. */
export interface Indexed {
  indexSlot: number;
}

/**
 * Ordered set of `T` under a total order. An entry's order must not change while it is in the list
 * (a discarded entry keeps its place until the list compacts, and comes back there).
 */
export class SortedList<T extends Indexed> {
  /** Entries by slot; a slot is reused once its entry leaves. */
  readonly items: (T | undefined)[] = [];
  /**
   * 1 for a slot whose entry was discarded: it keeps its place (and still counts in `floors`) until
   * the list compacts, or until it is inserted again. Readers of the chunks skip it.
   */
  discarded = new Uint8Array(64);
  private discardedCount = 0;
  private readonly freeSlots: number[] = [];
  /**
   * Per chunk, parallel arrays with room for one entry over `chunkSize` (the one that splits it):
   * the entries' slots, keys and ties. Chunk i holds `lengths[i]` entries, never 0, and every entry
   * of chunk i sorts before every entry of chunk i + 1.
   */
  readonly slots: Int32Array[] = [];
  readonly keys: Float64Array[] = [];
  readonly ties: Float64Array[] = [];
  readonly lengths: number[] = [];
  /** `key` and `tie` of each chunk's first entry, for the search over chunks. */
  private readonly headKeys: number[] = [];
  private readonly headTies: number[] = [];
  /**
   * Per chunk, a lower bound of `floor(x)` over its entries (exact after a split; a removal may leave
   * it lower than the true minimum, which is still a valid bound; a reader that scans a whole chunk
   * may store the exact minimum back). Lets a search skip whole chunks on a second criterion.
   */
  readonly floors: number[] = [];
  /**
   * Per chunk, how many of its first entries are in order; the rest were appended since. Entry 0 is
   * the chunk's smallest even so (an append to chunk c > 0 sorts after its head, which is how
   * `chunkOf` chose c), except in chunk 0, whose head a smaller entry may precede until it is sorted.
   * Read a chunk in order only through `sortChunk`.
   */
  readonly sortedTo: number[] = [];
  private count = 0;
  private readonly sorter: ChunkSorter<T>;

  /**
   * `key` must be a non-decreasing numeric image of the order (a < b implies key(a) <= key(b)), and
   * `tie` one among entries of equal key (a < b and key(a) = key(b) imply tie(a) <= tie(b));
   * `compare` decides what both leave tied; `floor` is the second criterion bounded per chunk in
   * `floors`.
   */
  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly key: (x: T) => number,
    private readonly floor: (x: T) => number = () => 0,
    private readonly chunkSize = CHUNK_SIZE,
    private readonly tie: (x: T) => number = () => 0,
  ) {
    this.sorter = new ChunkSorter(compare);
  }

  get size(): number {
    return this.count;
  }

  /** The smallest entry, or undefined when empty. */
  first(): T | undefined {
    for (const x of this) return x;
    return undefined;
  }

  /** The entries of chunk `c`, in order, discarded ones too (a copy: for tests and views). */
  chunk(c: number): T[] {
    this.sortChunk(c);
    const out: T[] = [];
    const s = this.slots[c]!;
    for (let i = 0; i < this.lengths[c]!; i++) out.push(this.items[s[i]!]!);
    return out;
  }

  /** Discarded entries not yet compacted away. */
  get discardedSize(): number {
    return this.discardedCount;
  }

  /** Index of the chunk that holds `x` or would hold it. */
  private chunkOf(x: T, xk: number, xt: number): number {
    const hks = this.headKeys;
    const hts = this.headTies;
    let lo = 0;
    let hi = hks.length - 1;
    // Last chunk whose head is <= x (or chunk 0).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const hk = hks[mid]!;
      const ht = hts[mid]!;
      if (hk < xk || (hk === xk && (ht < xt || (ht === xt && this.compareAt(mid, 0, x) <= 0)))) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private compareAt(c: number, i: number, x: T): number {
    return this.compare(this.items[this.slots[c]![i]!]!, x);
  }

  /** First position in chunk `c`, among its first `end` entries (all of them by default), whose entry is >= x. */
  private lowerBound(c: number, x: T, xk: number, xt: number, end = this.lengths[c]!): number {
    const ks = this.keys[c]!;
    const ts = this.ties[c]!;
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const k = ks[mid]!;
      const t = ts[mid]!;
      if (k < xk || (k === xk && (t < xt || (t === xt && this.compareAt(c, mid, x) < 0)))) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Insert `x`; it must not be present. */
  insert(x: T): void {
    this.count++;
    const old = x.indexSlot;
    if (old >= 0 && this.items[old] === x) {
      // Discarded and still in place: its order has not changed, so it comes back where it is.
      this.discarded[old] = 0;
      this.discardedCount--;
      return;
    }
    const xk = this.key(x);
    const xt = this.tie(x);
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.items.length;
    this.items[slot] = x;
    x.indexSlot = slot;
    if (slot >= this.discarded.length) {
      const grown = new Uint8Array(this.discarded.length * 2);
      grown.set(this.discarded);
      this.discarded = grown;
    }
    if (this.lengths.length === 0) {
      this.addChunk(0, 1);
      this.slots[0]![0] = slot;
      this.keys[0]![0] = xk;
      this.ties[0]![0] = xt;
      this.headKeys[0] = xk;
      this.headTies[0] = xt;
      this.floors[0] = this.floor(x);
      this.sortedTo[0] = 1;
      return;
    }
    // Appended, not placed: the chunk is sorted when it is next read in order (see `sortedTo`).
    const c = this.chunkOf(x, xk, xt);
    const n = this.lengths[c]!;
    this.slots[c]![n] = slot;
    this.keys[c]![n] = xk;
    this.ties[c]![n] = xt;
    this.lengths[c] = n + 1;
    const f = this.floor(x);
    if (f < this.floors[c]!) this.floors[c] = f;
    if (n + 1 > this.chunkSize) {
      this.sortChunk(c);
      this.split(c);
    }
  }

  /**
   * Put chunk `c`'s entries in order, if some were appended since it was last in order (see
   * ChunkSorter); the chunk's head is its smallest entry again.
   */
  sortChunk(c: number): void {
    const n = this.lengths[c]!;
    if (this.sortedTo[c]! >= n) return;
    const ks = this.keys[c]!;
    const ts = this.ties[c]!;
    // A few appended entries (chunk 0 is read by every match, so it is often one): each goes in
    // place by binary search and a shift, where a sort would compare along the whole ordered run.
    if (n - this.sortedTo[c]! <= FEW_APPENDED) for (let j = this.sortedTo[c]!; j < n; j++) this.place(c, j);
    else this.sorter.sort(this.slots[c]!, ks, ts, n, this.items);
    this.sortedTo[c] = n;
    this.headKeys[c] = ks[0]!;
    this.headTies[c] = ts[0]!;
  }

  /** Move chunk `c`'s entry at `j` into place among its first `j` entries, which are in order. */
  private place(c: number, j: number): void {
    const ss = this.slots[c]!;
    const ks = this.keys[c]!;
    const ts = this.ties[c]!;
    const s = ss[j]!;
    const xk = ks[j]!;
    const xt = ts[j]!;
    const lo = this.lowerBound(c, this.items[s]!, xk, xt, j);
    if (lo === j) return;
    ss.copyWithin(lo + 1, lo, j);
    ks.copyWithin(lo + 1, lo, j);
    ts.copyWithin(lo + 1, lo, j);
    ss[lo] = s;
    ks[lo] = xk;
    ts[lo] = xt;
  }

  /** Make room for a chunk at index `c` holding `length` entries (the caller fills it). */
  private addChunk(c: number, length: number): void {
    const room = this.chunkSize + 1;
    this.slots.splice(c, 0, new Int32Array(room));
    this.keys.splice(c, 0, new Float64Array(room));
    this.ties.splice(c, 0, new Float64Array(room));
    this.lengths.splice(c, 0, length);
    this.headKeys.splice(c, 0, 0);
    this.headTies.splice(c, 0, 0);
    this.floors.splice(c, 0, 0);
    this.sortedTo.splice(c, 0, length);
  }

  /** Split an overfull chunk, in order, in two halves (in order too). */
  private split(c: number): void {
    const half = this.chunkSize >> 1;
    const n = this.lengths[c]!;
    this.addChunk(c + 1, n - half);
    this.slots[c + 1]!.set(this.slots[c]!.subarray(half, n));
    this.keys[c + 1]!.set(this.keys[c]!.subarray(half, n));
    this.ties[c + 1]!.set(this.ties[c]!.subarray(half, n));
    this.lengths[c] = half;
    this.sortedTo[c] = half;
    this.headKeys[c + 1] = this.keys[c + 1]![0]!;
    this.headTies[c + 1] = this.ties[c + 1]![0]!;
    this.floors[c] = this.minFloor(c);
    this.floors[c + 1] = this.minFloor(c + 1);
  }

  /**
   * Take `x` out in O(1): its entry is only marked, and the marked entries go together when they
   * outnumber the live ones (so each costs O(1) amortized, and a search never wades through more
   * discarded entries than live ones). Returns false when `x` is not present.
   */
  discard(x: T): boolean {
    const s = x.indexSlot;
    if (!(s >= 0 && this.items[s] === x) || this.discarded[s] === 1) return false;
    this.discardAt(s);
    return true;
  }

  /**
   * `discard` of the entry at `slot`, for a caller that knows it is present there (kept the slot
   * since its insert, and has not discarded it): the entry itself is not read.
   */
  discardAt(slot: number): void {
    this.discarded[slot] = 1;
    this.discardedCount++;
    this.count--;
    if (this.discardedCount > this.count && this.discardedCount >= this.chunkSize) this.compact();
  }

  /** Drop every discarded entry; chunks left empty go. Floors stay valid bounds (entries only left). */
  private compact(): void {
    const dead = this.discarded;
    let to = 0;
    for (let c = 0; c < this.lengths.length; c++) {
      // In order first where entries were appended: dropping entries keeps the order of the rest, and
      // the chunk's new head must be its smallest entry.
      this.sortChunk(c);
      const ss = this.slots[c]!;
      const ks = this.keys[c]!;
      const ts = this.ties[c]!;
      const n = this.lengths[c]!;
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const s = ss[i]!;
        if (dead[s] === 1) {
          dead[s] = 0;
          this.items[s] = undefined;
          this.freeSlots.push(s);
          continue;
        }
        ss[kept] = s;
        ks[kept] = ks[i]!;
        ts[kept] = ts[i]!;
        kept++;
      }
      if (kept === 0) continue;
      this.slots[to] = ss;
      this.keys[to] = ks;
      this.ties[to] = ts;
      this.lengths[to] = kept;
      this.sortedTo[to] = kept;
      this.headKeys[to] = ks[0]!;
      this.headTies[to] = ts[0]!;
      this.floors[to] = this.floors[c]!;
      to++;
    }
    for (const a of [
      this.slots,
      this.keys,
      this.ties,
      this.lengths,
      this.headKeys,
      this.headTies,
      this.floors,
      this.sortedTo,
    ])
      a.length = to;
    this.discardedCount = 0;
  }

  /** Remove `x` itself (the same object) at once; returns false when it is not present. */
  remove(x: T): boolean {
    if (this.lengths.length === 0) return false;
    const xk = this.key(x);
    const xt = this.tie(x);
    const c = this.chunkOf(x, xk, xt);
    this.sortChunk(c);
    // Keys are unique under `compare`: if `x` is here, it is where it would be inserted.
    const at = this.lowerBound(c, x, xk, xt);
    const n = this.lengths[c]!;
    const ss = this.slots[c]!;
    if (at >= n || this.items[ss[at]!] !== x) return false;
    if (this.discarded[ss[at]!] === 1) return false;
    this.count--;
    this.items[ss[at]!] = undefined;
    this.freeSlots.push(ss[at]!);
    ss.copyWithin(at, at + 1, n);
    this.keys[c]!.copyWithin(at, at + 1, n);
    this.ties[c]!.copyWithin(at, at + 1, n);
    this.lengths[c] = n - 1;
    this.sortedTo[c] = n - 1;
    if (n === 1) {
      this.slots.splice(c, 1);
      this.keys.splice(c, 1);
      this.ties.splice(c, 1);
      this.lengths.splice(c, 1);
      this.headKeys.splice(c, 1);
      this.headTies.splice(c, 1);
      this.floors.splice(c, 1);
      this.sortedTo.splice(c, 1);
    } else if (at === 0) {
      this.headKeys[c] = this.keys[c]![0]!;
      this.headTies[c] = this.ties[c]![0]!;
    }
    // One live entry fewer: discarded ones may now outnumber the live, as after a discard.
    if (this.discardedCount > this.count && this.discardedCount >= this.chunkSize) this.compact();
    return true;
  }

  private minFloor(c: number): number {
    let m = Number.POSITIVE_INFINITY;
    const s = this.slots[c]!;
    for (let i = 0; i < this.lengths[c]!; i++) m = Math.min(m, this.floor(this.items[s[i]!]!));
    return m;
  }

  /** Every entry, smallest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let c = 0; c < this.lengths.length; c++) {
      this.sortChunk(c);
      const s = this.slots[c]!;
      for (let i = 0; i < this.lengths[c]!; i++) if (this.discarded[s[i]!] === 0) yield this.items[s[i]!]!;
    }
  }
}

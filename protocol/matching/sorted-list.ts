/**
 * An ordered set kept as a list of sorted chunks (a one-level B-tree, as Python's sortedcontainers
 * does): binary search over chunk heads, then within the chunk. Insert and remove are O(log n) to
 * find plus a shift of at most CHUNK_SIZE entries; iteration from the smallest is a plain array walk,
 * which is what matching does most. Keys must be unique under `compare`.
 *
 * Chunks hold numbers only, all in one typed array: each entry is a cell of its `key`, `tie` and slot
 * (its index in `items`), side by side. A search compares the numbers and touches an entry (scattered
 * over the heap: a likely cache miss) only when both tie; a shift is one memmove, with no write
 * barrier per moved pointer; and a chunk is found without going through an object of its own.
 */

/** Entries per chunk before it splits: small enough that a shift is short, large enough for few chunks. */
export const CHUNK_SIZE = 256;
/** Numbers per cell in `cells`: key, tie, slot. */
export const CELL = 3;

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
   * The cells of every chunk. Chunk i owns block `blocks[i]`: room for `room` cells (one over
   * `chunkSize`: the one that splits it) from cell `blocks[i] * room`. Chunk i holds `lengths[i]`
   * entries, never 0, and every entry of chunk i sorts before every entry of chunk i + 1.
   */
  cells: Float64Array;
  readonly blocks: number[] = [];
  readonly lengths: number[] = [];
  readonly room: number;
  private readonly freeBlocks: number[] = [];
  private usedBlocks = 0;
  /** `key` and `tie` of each chunk's first entry (chunk i at 2i and 2i + 1), for the search over chunks. */
  private readonly heads: number[] = [];
  /**
   * Per chunk, a lower bound of `floor(x)` over its entries (exact after a split; a removal may leave
   * it lower than the true minimum, which is still a valid bound; a reader that scans a whole chunk
   * may store the exact minimum back). Lets a search skip whole chunks on a second criterion.
   */
  readonly floors: number[] = [];
  private count = 0;

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
    this.room = chunkSize + 1;
    this.cells = new Float64Array(4 * this.room * CELL);
  }

  get size(): number {
    return this.count;
  }

  /** Discarded entries not yet compacted away. */
  get discardedSize(): number {
    return this.discardedCount;
  }

  /** The smallest entry, or undefined when empty. */
  first(): T | undefined {
    for (const x of this) return x;
    return undefined;
  }

  /** The entries of chunk `c`, in order, discarded ones too (a copy: for tests and views). */
  chunk(c: number): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.lengths[c]!; i++) out.push(this.items[this.slotAt(c, i)]!);
    return out;
  }

  /** Index in `cells` of entry `i` of chunk `c`. */
  private cellAt(c: number, i: number): number {
    return (this.blocks[c]! * this.room + i) * CELL;
  }

  private slotAt(c: number, i: number): number {
    return this.cells[this.cellAt(c, i) + 2]!;
  }

  /** Index of the chunk that holds `x` or would hold it. */
  private chunkOf(x: T, xk: number, xt: number): number {
    const hs = this.heads;
    let lo = 0;
    let hi = this.lengths.length - 1;
    // Last chunk whose head is <= x (or chunk 0).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const hk = hs[2 * mid]!;
      const ht = hs[2 * mid + 1]!;
      if (hk < xk || (hk === xk && (ht < xt || (ht === xt && this.compareAt(mid, 0, x) <= 0)))) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private compareAt(c: number, i: number, x: T): number {
    return this.compare(this.items[this.slotAt(c, i)]!, x);
  }

  /** First position in chunk `c` whose entry is >= x. */
  private lowerBound(c: number, x: T, xk: number, xt: number): number {
    const cs = this.cells;
    const base = this.cellAt(c, 0);
    let lo = 0;
    let hi = this.lengths[c]!;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const k = cs[base + mid * CELL]!;
      const t = cs[base + mid * CELL + 1]!;
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
    const slot = this.takeSlot(x);
    if (this.lengths.length === 0) {
      this.addChunk(0, 1);
      this.setCell(this.cellAt(0, 0), xk, xt, slot);
      this.heads[0] = xk;
      this.heads[1] = xt;
      this.floors[0] = this.floor(x);
      return;
    }
    const c = this.chunkOf(x, xk, xt);
    const at = this.lowerBound(c, x, xk, xt);
    const n = this.lengths[c]!;
    const p = this.cellAt(c, at);
    this.cells.copyWithin(p + CELL, p, this.cellAt(c, n));
    this.setCell(p, xk, xt, slot);
    this.lengths[c] = n + 1;
    if (at === 0) {
      this.heads[2 * c] = xk;
      this.heads[2 * c + 1] = xt;
    }
    const f = this.floor(x);
    if (f < this.floors[c]!) this.floors[c] = f;
    if (n + 1 > this.chunkSize) this.split(c);
  }

  private setCell(p: number, key: number, tie: number, slot: number): void {
    this.cells[p] = key;
    this.cells[p + 1] = tie;
    this.cells[p + 2] = slot;
  }

  private takeSlot(x: T): number {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.items.length;
    this.items[slot] = x;
    x.indexSlot = slot;
    if (slot >= this.discarded.length) {
      const grown = new Uint8Array(this.discarded.length * 2);
      grown.set(this.discarded);
      this.discarded = grown;
    }
    return slot;
  }

  /** Make room for a chunk at index `c` holding `length` entries (the caller fills it). */
  private addChunk(c: number, length: number): void {
    let block = this.freeBlocks.pop();
    if (block === undefined) {
      block = this.usedBlocks++;
      if (this.usedBlocks * this.room * CELL > this.cells.length) {
        const grown = new Float64Array(this.cells.length * 2);
        grown.set(this.cells);
        this.cells = grown;
      }
    }
    this.blocks.splice(c, 0, block);
    this.lengths.splice(c, 0, length);
    this.heads.splice(2 * c, 0, 0, 0);
    this.floors.splice(c, 0, 0);
  }

  /** Remove chunk `c` (empty now); its block is reused by the next chunk made. */
  private dropChunk(c: number): void {
    this.freeBlocks.push(this.blocks[c]!);
    this.blocks.splice(c, 1);
    this.lengths.splice(c, 1);
    this.heads.splice(2 * c, 2);
    this.floors.splice(c, 1);
  }

  /** Split an overfull chunk in two halves. */
  private split(c: number): void {
    const half = this.chunkSize >> 1;
    const n = this.lengths[c]!;
    this.addChunk(c + 1, n - half);
    this.cells.copyWithin(this.cellAt(c + 1, 0), this.cellAt(c, half), this.cellAt(c, n));
    this.lengths[c] = half;
    const h = this.cellAt(c + 1, 0);
    this.heads[2 * c + 2] = this.cells[h]!;
    this.heads[2 * c + 3] = this.cells[h + 1]!;
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
    this.discarded[s] = 1;
    this.discardedCount++;
    this.count--;
    if (this.discardedCount > this.count && this.discardedCount >= this.chunkSize) this.compact();
    return true;
  }

  /** Drop every discarded entry; chunks left empty go. Floors stay valid bounds (entries only left). */
  private compact(): void {
    const cs = this.cells;
    const dead = this.discarded;
    for (let c = this.lengths.length - 1; c >= 0; c--) {
      const base = this.cellAt(c, 0);
      const n = this.lengths[c]!;
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const p = base + i * CELL;
        const s = cs[p + 2]!;
        if (dead[s] === 1) {
          dead[s] = 0;
          this.items[s] = undefined;
          this.freeSlots.push(s);
        } else {
          const to = base + kept * CELL;
          cs[to] = cs[p]!;
          cs[to + 1] = cs[p + 1]!;
          cs[to + 2] = s;
          kept++;
        }
      }
      if (kept === 0) {
        this.dropChunk(c);
        continue;
      }
      this.lengths[c] = kept;
      this.heads[2 * c] = cs[base]!;
      this.heads[2 * c + 1] = cs[base + 1]!;
    }
    this.discardedCount = 0;
  }

  /** Remove `x` itself (the same object) at once; returns false when it is not present. */
  remove(x: T): boolean {
    if (this.lengths.length === 0) return false;
    const xk = this.key(x);
    const xt = this.tie(x);
    const c = this.chunkOf(x, xk, xt);
    // Keys are unique under `compare`: if `x` is here, it is where it would be inserted.
    const at = this.lowerBound(c, x, xk, xt);
    const n = this.lengths[c]!;
    if (at >= n) return false;
    const p = this.cellAt(c, at);
    const s = this.cells[p + 2]!;
    if (this.items[s] !== x || this.discarded[s] === 1) return false;
    this.count--;
    this.items[s] = undefined;
    this.freeSlots.push(s);
    this.cells.copyWithin(p, p + CELL, this.cellAt(c, n));
    this.lengths[c] = n - 1;
    if (n === 1) this.dropChunk(c);
    else if (at === 0) {
      this.heads[2 * c] = this.cells[p]!;
      this.heads[2 * c + 1] = this.cells[p + 1]!;
    }
    return true;
  }

  private minFloor(c: number): number {
    let m = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.lengths[c]!; i++) m = Math.min(m, this.floor(this.items[this.slotAt(c, i)]!));
    return m;
  }

  /** Every entry, smallest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let c = 0; c < this.lengths.length; c++) {
      for (let i = 0; i < this.lengths[c]!; i++) {
        const s = this.slotAt(c, i);
        if (this.discarded[s] === 0) yield this.items[s]!;
      }
    }
  }
}

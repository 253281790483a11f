/**
 * An ordered set kept as a list of sorted chunks (a one-level B-tree, as Python's sortedcontainers
 * does): binary search over chunk heads, then within the chunk. Insert and remove are O(log n) to
 * find plus a shift of at most CHUNK_SIZE entries; iteration from the smallest is a plain array walk,
 * which is what matching does most. Keys must be unique under `compare`.
 */

/** Entries per chunk before it splits: small enough that a shift is short, large enough for few chunks. */
export const CHUNK_SIZE = 256;

/** Ordered set of `T` under a total order. */
export class SortedList<T> {
  /** Non-empty sorted chunks; every entry of chunk i sorts before every entry of chunk i + 1. */
  readonly chunks: T[][] = [];
  /**
   * The numeric key of each chunk's first entry: the search over chunks compares plain numbers in
   * one array and only touches an entry when keys tie (fewer cache misses than dereferencing heads).
   */
  private readonly heads: number[] = [];
  /**
   * Per chunk, a lower bound of `floor(x)` over its entries (exact after a split; a removal may leave
   * it lower than the true minimum, which is still a valid bound; a reader that scans a whole chunk
   * may store the exact minimum back). Lets a search skip whole chunks on a second criterion.
   */
  readonly floors: number[] = [];
  private count = 0;

  /**
   * `key` must be a non-decreasing numeric image of the order (a < b implies key(a) <= key(b));
   * `compare` decides ties; `floor` is the second criterion bounded per chunk in `floors`.
   */
  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly key: (x: T) => number,
    private readonly floor: (x: T) => number = () => 0,
    private readonly chunkSize = CHUNK_SIZE,
  ) {}

  get size(): number {
    return this.count;
  }

  /** The smallest entry, or undefined when empty. */
  first(): T | undefined {
    return this.chunks[0]?.[0];
  }

  /** Index of the chunk that holds `x` or would hold it. */
  private chunkOf(x: T): number {
    const heads = this.heads;
    const xk = this.key(x);
    let lo = 0;
    let hi = heads.length - 1;
    // Last chunk whose head is <= x (or chunk 0).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const hk = heads[mid]!;
      if (hk < xk || (hk === xk && this.compare(this.chunks[mid]![0]!, x) <= 0)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First position in `chunk` whose entry is >= x. */
  private lowerBound(chunk: T[], x: T): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(chunk[mid]!, x) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Insert `x`; it must not be present. */
  insert(x: T): void {
    this.count++;
    if (this.chunks.length === 0) {
      this.chunks.push([x]);
      this.heads.push(this.key(x));
      this.floors.push(this.floor(x));
      return;
    }
    const ci = this.chunkOf(x);
    const chunk = this.chunks[ci]!;
    const at = this.lowerBound(chunk, x);
    // Shift by hand: Array.prototype.splice allocates its result and is several times slower here.
    chunk.push(x);
    for (let i = chunk.length - 1; i > at; i--) chunk[i] = chunk[i - 1]!;
    chunk[at] = x;
    if (at === 0) this.heads[ci] = this.key(x);
    const f = this.floor(x);
    if (f < this.floors[ci]!) this.floors[ci] = f;
    if (chunk.length > this.chunkSize) {
      const upper = chunk.splice(this.chunkSize >> 1);
      this.chunks.splice(ci + 1, 0, upper);
      this.heads.splice(ci + 1, 0, this.key(upper[0]!));
      this.floors[ci] = this.minFloor(chunk);
      this.floors.splice(ci + 1, 0, this.minFloor(upper));
    }
  }

  /** Remove `x` itself (the same object); returns false when it is not present. */
  remove(x: T): boolean {
    if (this.chunks.length === 0) return false;
    const ci = this.chunkOf(x);
    const chunk = this.chunks[ci]!;
    // A scan of at most chunkSize pointers, no entry touched: cheaper than a binary search.
    const at = chunk.indexOf(x);
    if (at < 0) return false;
    this.count--;
    const last = chunk.length - 1;
    for (let i = at; i < last; i++) chunk[i] = chunk[i + 1]!;
    chunk.pop();
    if (chunk.length === 0) {
      this.chunks.splice(ci, 1);
      this.heads.splice(ci, 1);
      this.floors.splice(ci, 1);
    } else if (at === 0) this.heads[ci] = this.key(chunk[0]!);
    return true;
  }

  private minFloor(chunk: readonly T[]): number {
    let m = Number.POSITIVE_INFINITY;
    for (const x of chunk) m = Math.min(m, this.floor(x));
    return m;
  }

  /** Every entry, smallest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const chunk of this.chunks) yield* chunk;
  }
}

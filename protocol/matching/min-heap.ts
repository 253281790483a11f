/**
 * A binary min-heap of (at, seq, item), ordered by time then sequence so that equal times pop in a
 * fixed order on every replica. Used with lazy deletion: the owner checks on pop that the item is
 * still due, so a stale entry (its item cancelled, matched, or rolled back) is simply skipped.
 * Each entry's time and sequence sit side by side in one typed array (a sift step reads one place
 * per entry, and a push stores numbers, not heap objects); items in a plain array beside it. No
 * object per entry, which matters at millions of entries.
 */
export class MinHeap<T> {
  /** Entry i's time at 2i, its sequence at 2i + 1. */
  private keys = new Float64Array(64);
  private items: (T | undefined)[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  push(at: number, seq: number, item: T): void {
    let i = this.n++;
    if (2 * this.n > this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const K = this.keys;
    const I = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pa = K[2 * p]!;
      if (pa < at || (pa === at && K[2 * p + 1]! < seq)) break;
      K[2 * i] = pa;
      K[2 * i + 1] = K[2 * p + 1]!;
      I[i] = I[p];
      i = p;
    }
    K[2 * i] = at;
    K[2 * i + 1] = seq;
    I[i] = item;
  }

  /** True when the earliest entry is due at or before `time`. */
  due(time: number): boolean {
    return this.n > 0 && this.keys[0]! <= time;
  }

  /** Time and sequence of the earliest entry (to push it back on rollback). */
  peekAt(): number {
    return this.keys[0]!;
  }

  peekSeq(): number {
    return this.keys[1]!;
  }

  /** Remove and return the earliest item. */
  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const K = this.keys;
    const I = this.items;
    const top = I[0];
    const n = --this.n;
    const lastAt = K[2 * n]!;
    const lastSeq = K[2 * n + 1]!;
    const last = I[n];
    // The slot past the end lets go of its item: a popped item is not kept alive by the heap.
    I[n] = undefined;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c =
        r < n && (K[2 * r]! < K[2 * l]! || (K[2 * r] === K[2 * l] && K[2 * r + 1]! < K[2 * l + 1]!)) ? r : l;
      const ca = K[2 * c]!;
      if (lastAt < ca || (lastAt === ca && lastSeq < K[2 * c + 1]!)) break;
      K[2 * i] = ca;
      K[2 * i + 1] = K[2 * c + 1]!;
      I[i] = I[c];
      i = c;
    }
    K[2 * i] = lastAt;
    K[2 * i + 1] = lastSeq;
    I[i] = last;
    return top;
  }
}

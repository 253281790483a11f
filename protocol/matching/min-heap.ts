/**
 * A binary min-heap of (at, seq, item), ordered by time then sequence so that equal times pop in a
 * fixed order on every replica. Used with lazy deletion: the owner checks on pop that the item is
 * still due, so a stale entry (its item cancelled, matched, or rolled back) is simply skipped.
 * Kept as three parallel arrays: no object per entry, which matters at millions of entries.
 */
export class MinHeap<T> {
  private readonly at: number[] = [];
  private readonly seq: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(at: number, seq: number, item: T): void {
    const A = this.at;
    const S = this.seq;
    const I = this.items;
    let i = I.length;
    A.push(at);
    S.push(seq);
    I.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (A[p]! < at || (A[p] === at && S[p]! < seq)) break;
      A[i] = A[p]!;
      S[i] = S[p]!;
      I[i] = I[p]!;
      i = p;
    }
    A[i] = at;
    S[i] = seq;
    I[i] = item;
  }

  /** True when the earliest entry is due at or before `time`. */
  due(time: number): boolean {
    return this.items.length > 0 && this.at[0]! <= time;
  }

  /** Time and sequence of the earliest entry (to push it back on rollback). */
  peekAt(): number {
    return this.at[0]!;
  }

  peekSeq(): number {
    return this.seq[0]!;
  }

  /** Remove and return the earliest item. */
  pop(): T | undefined {
    const A = this.at;
    const S = this.seq;
    const I = this.items;
    const top = I[0];
    const lastAt = A.pop()!;
    const lastSeq = S.pop()!;
    const last = I.pop()!;
    const n = I.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (A[r]! < A[l]! || (A[r] === A[l] && S[r]! < S[l]!)) ? r : l;
      if (lastAt < A[c]! || (lastAt === A[c] && lastSeq < S[c]!)) break;
      A[i] = A[c]!;
      S[i] = S[c]!;
      I[i] = I[c]!;
      i = c;
    }
    A[i] = lastAt;
    S[i] = lastSeq;
    I[i] = last;
    return top;
  }
}

/**
 * A binary min-heap of (at, seq, item), ordered by time then sequence so that equal times pop in a
 * fixed order on every replica. Used with lazy deletion: the owner checks on pop that the item is
 * still due, so a stale entry (its item cancelled, matched, or rolled back) is simply skipped.
 */

/** One scheduled item. */
export interface HeapEntry<T> {
  at: number;
  seq: number;
  item: T;
}

function less<T>(a: HeapEntry<T>, b: HeapEntry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Items by due time. */
export class MinHeap<T> {
  private readonly h: HeapEntry<T>[] = [];

  get size(): number {
    return this.h.length;
  }

  push(e: HeapEntry<T>): void {
    const h = this.h;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  /** The earliest entry if it is due at or before `time`, without removing it. */
  peekDue(time: number): HeapEntry<T> | undefined {
    const top = this.h[0];
    return top !== undefined && top.at <= time ? top : undefined;
  }

  pop(): HeapEntry<T> | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(h[r]!, h[l]!) ? r : l;
      if (!less(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

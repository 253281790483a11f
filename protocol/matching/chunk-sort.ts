/**
 * Sorting a chunk of a SortedList (its parallel arrays of slots, keys and ties) after entries were
 * appended to it out of order: by key, then tie, then the list's order where both tie.
 */

/** Sorts chunks; keeps its scratch arrays between sorts, so that a sort allocates no buffer. */
export class ChunkSorter<T> {
  private readonly order: number[] = [];
  private slots = new Int32Array(0);
  private keys = new Float64Array(0);
  private ties = new Float64Array(0);

  constructor(private readonly compare: (a: T, b: T) => number) {}

  /**
   * Put the first `n` entries of the chunk (`ss`, `ks`, `ts`; entries by slot in `items`) in order.
   * V8's sort is a TimSort: the chunk's ordered prefix is one run to it.
   */
  sort(
    ss: Int32Array,
    ks: Float64Array,
    ts: Float64Array,
    n: number,
    items: readonly (T | undefined)[],
  ): void {
    const order = this.order;
    order.length = n;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => {
      const ka = ks[a]!;
      const kb = ks[b]!;
      if (ka !== kb) return ka < kb ? -1 : 1;
      const ta = ts[a]!;
      const tb = ts[b]!;
      if (ta !== tb) return ta < tb ? -1 : 1;
      return this.compare(items[ss[a]!]!, items[ss[b]!]!);
    });
    if (this.slots.length < n) {
      this.slots = new Int32Array(ss.length);
      this.keys = new Float64Array(ks.length);
      this.ties = new Float64Array(ts.length);
    }
    const s2 = this.slots;
    const k2 = this.keys;
    const t2 = this.ties;
    s2.set(ss.subarray(0, n));
    k2.set(ks.subarray(0, n));
    t2.set(ts.subarray(0, n));
    for (let i = 0; i < n; i++) {
      const from = order[i]!;
      ss[i] = s2[from]!;
      ks[i] = k2[from]!;
      ts[i] = t2[from]!;
    }
  }
}

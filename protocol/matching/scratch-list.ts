/**
 * A list that lives from event to event and is emptied by resetting its count. An array emptied with
 * `length = 0` gives its storage back, and the next push allocates it again: at one such list per
 * event, that was a good part of what matching allocated.
 */
export class ScratchList<T> {
  private readonly items: T[] = [];
  /** Entries since the last `clear`: `at(0)` .. `at(length - 1)`. */
  length = 0;

  push(x: T): void {
    if (this.length < this.items.length) this.items[this.length] = x;
    else this.items.push(x);
    this.length++;
  }

  at(i: number): T {
    return this.items[i]!;
  }

  /** Empty it; the storage stays (entries past `length` are overwritten by later pushes). */
  clear(): void {
    this.length = 0;
  }

  /** Sort the entries in place (rare: only when several markets match in one event). */
  sort(compare: (a: T, b: T) => number): void {
    this.items.length = this.length;
    this.items.sort(compare);
  }
}

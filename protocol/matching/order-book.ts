/**
 * The order book of one market: quotes that can take a request now, indexed by (price, proving
 * time, sequence), and waiting requests in sequence order. The engine decides what is eligible; the
 * book only keeps order and answers "cheapest fitting quote".
 */
import { SortedList } from "./sorted-list.js";
import type { QuoteEntry, RequestEntry } from "./types.js";

/**
 * Price keys up to here are exact: one price per float, so equal keys are equal prices and the
 * bigints need not be compared. Above it several prices share a float (uint256 prices may be there).
 */
export const MAX_EXACT_PRICE_KEY = Number.MAX_SAFE_INTEGER;

function byPriceTimeSeq(a: QuoteEntry, b: QuoteEntry): number {
  if (a.priceKey !== b.priceKey) return a.priceKey - b.priceKey;
  if (a.priceKey > MAX_EXACT_PRICE_KEY && a.price !== b.price) return a.price < b.price ? -1 : 1;
  if (a.provingTime !== b.provingTime) return a.provingTime - b.provingTime;
  return a.seq - b.seq;
}

/**
 * The index's tie key: among quotes of one exact price key the order is by proving time; where the
 * key is inexact the price decides first, so the tie is constant there and `compare` settles it.
 */
export function quoteTie(q: QuoteEntry): number {
  return q.priceKey <= MAX_EXACT_PRICE_KEY ? q.provingTime : -1;
}

/** Is the quote (its key `k`) priced above `maxPrice` (its key `maxKey`)? */
function above(k: number, q: QuoteEntry, maxKey: number, maxPrice: bigint): boolean {
  if (k !== maxKey) return k > maxKey;
  return k > MAX_EXACT_PRICE_KEY && q.price > maxPrice;
}

/** One market's book. */
export class OrderBook {
  /** Eligible quotes, best first. */
  readonly quotes: SortedList<QuoteEntry>;
  /** Oldest waiting request. */
  head: RequestEntry | null = null;
  tail: RequestEntry | null = null;
  waitingCount = 0;
  /**
   * Upper bounds of maxPrice and provingTime over waiting requests, reset when none wait: a new
   * quote above either bound fits no waiting request, so the waiting list is not scanned.
   */
  waitingMaxPrice = 0n;
  waitingMaxProvingTime = 0;

  /** `chunkSize` is the index's chunk size (tests make it small to exercise many chunks). */
  constructor(chunkSize?: number) {
    this.quotes = new SortedList<QuoteEntry>(
      byPriceTimeSeq,
      (q) => q.priceKey,
      (q) => q.provingTime,
      chunkSize,
      quoteTie,
    );
  }

  /**
   * The cheapest eligible quote with price <= maxPrice and provingTime <= provingTime; ties by
   * shorter proving time, then earlier sequence (the index order). Walks the index in order and stops
   * at the first price above maxPrice. A chunk whose every quote is too slow is skipped whole (its
   * floor of proving times says so), so cheap slow quotes cannot make every request scan them.
   */
  best(maxPrice: bigint, provingTime: number): QuoteEntry | undefined {
    // Prices compare as floats first (Number never reverses order): bigints only on an inexact tie.
    const maxKey = Number(maxPrice);
    const list = this.quotes;
    const { items, slots, keys, ties, lengths, floors, discarded, sortedTo } = list;
    for (let c = 0; c < lengths.length; c++) {
      // Read in order: entries appended since the chunk was last read go in place first.
      if (sortedTo[c]! < lengths[c]!) list.sortChunk(c);
      const ss = slots[c]!;
      const ks = keys[c]!;
      if (floors[c]! > provingTime) {
        if (above(ks[0]!, items[ss[0]!]!, maxKey, maxPrice)) return undefined;
        continue;
      }
      // The tie key is the proving time where it is not -1: most quotes are read without a deref.
      const ts = ties[c]!;
      const n = lengths[c]!;
      let fastest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const k = ks[i]!;
        if (k >= maxKey && above(k, items[ss[i]!]!, maxKey, maxPrice)) return undefined;
        const t = ts[i]!;
        const time = t >= 0 ? t : items[ss[i]!]!.provingTime;
        if (time <= provingTime && discarded[ss[i]!] === 0) return items[ss[i]!]!;
        if (time < fastest) fastest = time;
      }
      // Scanned whole and nothing fitted: the exact floor (over discarded entries too: one may come
      // back in place), so the next such request skips this chunk.
      floors[c] = fastest;
    }
    return undefined;
  }

  /**
   * Append a request to the waiting list (requests arrive in sequence order). Links are tested with
   * `!== null` here, not for truthiness: that reads the neighbour's map, a cache miss of its own when
   * the neighbour is cold (a cancel unlinks a random request from between two).
   */
  append(r: RequestEntry): void {
    r.prev = this.tail;
    r.next = null;
    if (this.tail !== null) this.tail.next = r;
    else this.head = r;
    this.tail = r;
    this.bump(r);
  }

  /** Remove a waiting request in O(1); its links are kept so `relink` can undo this. */
  unlink(r: RequestEntry): void {
    if (r.prev !== null) r.prev.next = r.next;
    else this.head = r.next;
    if (r.next !== null) r.next.prev = r.prev;
    else this.tail = r.prev;
    if (--this.waitingCount === 0) {
      this.waitingMaxPrice = 0n;
      this.waitingMaxProvingTime = 0;
    }
  }

  /** Undo the latest `unlink` of `r` (undos run newest first, so its neighbours are as they were). */
  relink(r: RequestEntry): void {
    if (r.prev !== null) r.prev.next = r;
    else this.head = r;
    if (r.next !== null) r.next.prev = r;
    else this.tail = r;
    this.bump(r);
  }

  private bump(r: RequestEntry): void {
    this.waitingCount++;
    if (r.maxPrice > this.waitingMaxPrice) this.waitingMaxPrice = r.maxPrice;
    if (r.provingTime > this.waitingMaxProvingTime) this.waitingMaxProvingTime = r.provingTime;
  }

  /** Waiting requests, oldest first. */
  *waiting(): IterableIterator<RequestEntry> {
    for (let r = this.head; r !== null; r = r.next) yield r;
  }
}

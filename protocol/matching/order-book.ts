/**
 * The order book of one market: quotes that can take a request now, indexed by (price, proving
 * time, sequence), and waiting requests in sequence order. The engine decides what is eligible; the
 * book only keeps order and answers "cheapest fitting quote".
 */
import { SortedList } from "./sorted-list.js";
import type { QuoteEntry, RequestEntry } from "./types.js";

function byPriceTimeSeq(a: QuoteEntry, b: QuoteEntry): number {
  if (a.priceKey !== b.priceKey) return a.priceKey - b.priceKey;
  if (a.price !== b.price) return a.price < b.price ? -1 : 1;
  if (a.provingTime !== b.provingTime) return a.provingTime - b.provingTime;
  return a.seq - b.seq;
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
    );
  }

  /**
   * The cheapest eligible quote with price <= maxPrice and provingTime <= provingTime; ties by
   * shorter proving time, then earlier sequence (the index order). Walks the index in order and stops
   * at the first price above maxPrice. A chunk whose every quote is too slow is skipped whole (its
   * floor of proving times says so), so cheap slow quotes cannot make every request scan them.
   */
  best(maxPrice: bigint, provingTime: number): QuoteEntry | undefined {
    const { chunks, floors } = this.quotes;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      if (floors[c]! > provingTime) {
        if (chunk[0]!.price > maxPrice) return undefined;
        continue;
      }
      let fastest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < chunk.length; i++) {
        const q = chunk[i]!;
        if (q.price > maxPrice) return undefined;
        if (q.provingTime <= provingTime) return q;
        if (q.provingTime < fastest) fastest = q.provingTime;
      }
      // Scanned whole and nothing fitted: the exact floor, so the next such request skips this chunk.
      floors[c] = fastest;
    }
    return undefined;
  }

  /** Append a request to the waiting list (requests arrive in sequence order). */
  append(r: RequestEntry): void {
    r.prev = this.tail;
    r.next = null;
    if (this.tail) this.tail.next = r;
    else this.head = r;
    this.tail = r;
    this.bump(r);
  }

  /** Remove a waiting request in O(1); its links are kept so `relink` can undo this. */
  unlink(r: RequestEntry): void {
    if (r.prev) r.prev.next = r.next;
    else this.head = r.next;
    if (r.next) r.next.prev = r.prev;
    else this.tail = r.prev;
    if (--this.waitingCount === 0) {
      this.waitingMaxPrice = 0n;
      this.waitingMaxProvingTime = 0;
    }
  }

  /** Undo the latest `unlink` of `r` (undos run newest first, so its neighbours are as they were). */
  relink(r: RequestEntry): void {
    if (r.prev) r.prev.next = r;
    else this.head = r;
    if (r.next) r.next.prev = r;
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

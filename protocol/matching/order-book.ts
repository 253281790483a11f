/**
 * The order book of one market: quotes that can take a request now, indexed by (price, proving
 * time, sequence), and waiting requests in sequence order. The engine decides what is eligible; the
 * book only keeps order and answers "cheapest fitting quote".
 */
import { NONE, type RequestStore } from "./request-store.js";
import { type RequestView, requestView } from "./request-views.js";
import { SortedList } from "./sorted-list.js";
import type { QuoteEntry } from "./types.js";

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
 * Keys from MAX_EXACT_PRICE_KEY up to here are inexact, but the tie carries the rest of the price:
 * the residual `price - BigInt(key)` (at most half the float's spacing, 2^18 below 2^72) above the
 * proving time. Prices in wei pass 2^53 at 0.009 ETH: without it, every quote priced there was read
 * to compare (a cache miss each) where a cheaper one is compared on numbers.
 */
const RESIDUAL_KEY_LIMIT = 2 ** 72;
/** Proving times in the tie of an inexact key are kept below this (the protocol caps them at 7 days). */
const TIME_SPAN = 2 ** 32;
/** The tie of keys from RESIDUAL_KEY_LIMIT on: one constant, so `compare` settles their order. */
const NO_TIE = -(2 ** 53);

/**
 * The index's tie key: the order among quotes of one price key. Where the key is exact, the proving
 * time; where it is inexact and below RESIDUAL_KEY_LIMIT, the price's residual, then the proving
 * time (a proving time of 2^32 - 1 or more is cut to 2^32 - 1: the order stays right, `compare`
 * settles the tie, and the book reads such a quote's proving time from the quote); above, NO_TIE.
 */
export function quoteTie(q: QuoteEntry): number {
  const k = q.priceKey;
  if (k <= MAX_EXACT_PRICE_KEY) return q.provingTime;
  if (k >= RESIDUAL_KEY_LIMIT) return NO_TIE;
  return Number(q.price - BigInt(k)) * TIME_SPAN + Math.min(q.provingTime, TIME_SPAN - 1);
}

/** The proving time a tie holds (see quoteTie), or -1 where only the quote itself says. */
function tieTime(k: number, t: number): number {
  if (k <= MAX_EXACT_PRICE_KEY) return t;
  if (k >= RESIDUAL_KEY_LIMIT) return -1;
  const time = t - Math.floor(t / TIME_SPAN) * TIME_SPAN;
  return time === TIME_SPAN - 1 ? -1 : time;
}

/**
 * Is the quote (its key `k`, tie `t`) priced above `maxPrice` (its key `maxKey`, and `maxResidual`,
 * its residual where maxKey is inexact and below RESIDUAL_KEY_LIMIT)? The quote is read only where
 * neither key nor tie can tell.
 */
function above(
  k: number,
  t: number,
  q: QuoteEntry,
  maxKey: number,
  maxResidual: number,
  maxPrice: bigint,
): boolean {
  if (k !== maxKey) return k > maxKey;
  if (k <= MAX_EXACT_PRICE_KEY) return false;
  if (k < RESIDUAL_KEY_LIMIT) return Math.floor(t / TIME_SPAN) > maxResidual;
  return q.price > maxPrice;
}

/** One market's book. */
export class OrderBook {
  /** Eligible quotes, best first. */
  readonly quotes: SortedList<QuoteEntry>;
  /** Oldest waiting request (a handle in `requests`), NONE when none waits. */
  head = NONE;
  tail = NONE;
  waitingCount = 0;
  /**
   * Upper bounds of maxPrice and provingTime over waiting requests, reset when none wait: a new
   * quote above either bound fits no waiting request, so the waiting list is not scanned.
   */
  waitingMaxPrice = 0n;
  waitingMaxProvingTime = 0;

  /**
   * `requests` holds the rows the waiting list links (the engine's, shared by its markets);
   * `chunkSize` is the index's chunk size (tests make it small to exercise many chunks).
   */
  constructor(
    readonly requests: RequestStore,
    chunkSize?: number,
  ) {
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
    const maxResidual =
      maxKey > MAX_EXACT_PRICE_KEY && maxKey < RESIDUAL_KEY_LIMIT ? Number(maxPrice - BigInt(maxKey)) : 0;
    const list = this.quotes;
    const { items, slots, keys, ties, lengths, floors, discarded, sortedTo } = list;
    for (let c = 0; c < lengths.length; c++) {
      // Read in order: entries appended since the chunk was last read go in place first.
      if (sortedTo[c]! < lengths[c]!) list.sortChunk(c);
      const ss = slots[c]!;
      const ks = keys[c]!;
      if (floors[c]! > provingTime) {
        if (above(ks[0]!, ties[c]![0]!, items[ss[0]!]!, maxKey, maxResidual, maxPrice)) return undefined;
        continue;
      }
      // The tie holds the proving time (see tieTime): most quotes are read without a deref.
      const ts = ties[c]!;
      const n = lengths[c]!;
      let fastest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const k = ks[i]!;
        const t = ts[i]!;
        if (k >= maxKey && above(k, t, items[ss[i]!]!, maxKey, maxResidual, maxPrice)) return undefined;
        const tt = tieTime(k, t);
        const time = tt >= 0 ? tt : items[ss[i]!]!.provingTime;
        if (time <= provingTime && discarded[ss[i]!] === 0) return items[ss[i]!]!;
        if (time < fastest) fastest = time;
      }
      // Scanned whole and nothing fitted: the exact floor (over discarded entries too: one may come
      // back in place), so the next such request skips this chunk.
      floors[c] = fastest;
    }
    return undefined;
  }

  /** Append a request to the waiting list (requests arrive in sequence order). */
  append(h: number): void {
    const s = this.requests;
    s.setPrev(h, this.tail);
    s.setNext(h, NONE);
    if (this.tail !== NONE) s.setNext(this.tail, h);
    else this.head = h;
    this.tail = h;
    this.bump(h);
  }

  /** Remove a waiting request in O(1); its links are kept so `relink` can undo this. */
  unlink(h: number): void {
    const s = this.requests;
    const prev = s.prev(h);
    const next = s.next(h);
    if (prev !== NONE) s.setNext(prev, next);
    else this.head = next;
    if (next !== NONE) s.setPrev(next, prev);
    else this.tail = prev;
    if (--this.waitingCount === 0) {
      this.waitingMaxPrice = 0n;
      this.waitingMaxProvingTime = 0;
    }
  }

  /** Undo the latest `unlink` of `h` (undos run newest first, so its neighbours are as they were). */
  relink(h: number): void {
    const s = this.requests;
    const prev = s.prev(h);
    const next = s.next(h);
    if (prev !== NONE) s.setNext(prev, h);
    else this.head = h;
    if (next !== NONE) s.setPrev(next, h);
    else this.tail = h;
    this.bump(h);
  }

  private bump(h: number): void {
    this.waitingCount++;
    const maxPrice = this.requests.maxPrices[h]!;
    const provingTime = this.requests.provingTime(h);
    if (maxPrice > this.waitingMaxPrice) this.waitingMaxPrice = maxPrice;
    if (provingTime > this.waitingMaxProvingTime) this.waitingMaxProvingTime = provingTime;
  }

  /** Waiting requests, oldest first (copies). */
  *waiting(): IterableIterator<RequestView> {
    for (let h = this.head; h !== NONE; h = this.requests.next(h)) yield requestView(this.requests, h);
  }
}

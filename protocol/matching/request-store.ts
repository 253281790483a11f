/**
 * The engine's requests, each a row of numbers in typed arrays (in pages), addressed by a handle;
 * its id, requester and maximum price (strings and a bigint) sit in plain arrays beside them. A
 * request's open assignment lives in its row too (a request has at most one).
 *
 * Why rows and not a record per request: a request is the engine's commonest record and it outlives
 * the young generation, so every record was copied by a scavenge and then marked by every full
 * collection (a record of 15 fields is 144 bytes without pointer compression, and an assignment
 * another 120). In typed arrays they are neither copied nor marked, and a link or a status written
 * into a row is a number, with no write barrier. Handles are freed when a request is forgotten and
 * reused; nothing outside this engine sees them (matching orders by sequence, never by handle).
 */
import type { Address, Hex32 } from "../bytes.js";
import type { ProverMarket, QuoteEntry, RequestStatus } from "./types.js";

// Int32 fields of a row. A market id is a u64 below 2^53: its low word here, its high word in MARKET_HIGH.
const MARKET = 0;
const STATUS = 1;
const W0 = 2;
const W1 = 3;
const PREV = 4;
const NEXT = 5;
const FACT0 = 6;
const FACT1 = 7;
const FLAGS = 8;
const C0 = 9;
const C1 = 10;
const QW0 = 11;
const QW1 = 12;
const AFACT0 = 13;
const AFACT1 = 14;
const MARKET_HIGH = 15;
/** Int32 fields per row (as a shift): 16, 64 bytes, one cache line. */
const INTS_SHIFT = 4;

// Float64 fields of a row (sequence numbers and times pass 2^31).
const SEQ = 0;
const ASSIGN_BY = 1;
const PROVING_TIME = 2;
const DEADLINE = 3;
/** Float64 fields per row (as a shift): 4, 32 bytes. */
const FLOATS_SHIFT = 2;

/** Bits of FLAGS. */
const LIVE = 1;
/**
 * The request has an open assignment (until proof, slash or void). A request with one stays known
 * past its assign-by time; it is forgotten when the later of the two comes.
 */
const OPEN = 2;
/** The open assignment holds a unit of its prover's capacity (until proof, slash or its deadline). */
const HELD = 4;
/** The chain confirmed the assignment. */
const ANCHORED = 8;

const TWO_32 = 2 ** 32;

/** No request: the end of a waiting list. */
export const NONE = -1;

/**
 * Rows per page (as a shift). Rows live in fixed pages, not in one array that doubles: a doubling
 * copied the whole table and allocated its next size at once (buffers outside the JS heap, which
 * V8 counts toward starting a full collection), and the bench ran slower than with records.
 */
const PAGE_SHIFT = 12;
const PAGE_MASK = (1 << PAGE_SHIFT) - 1;

/** Every request's row, and the free rows. */
export class RequestStore {
  private readonly intPages: Int32Array[] = [];
  private readonly floatPages: Float64Array[] = [];
  readonly ids: (Hex32 | undefined)[] = [];
  readonly requesters: (Address | undefined)[] = [];
  readonly maxPrices: bigint[] = [];
  /** The open assignment's prover slot, quote and collateral (kept after it closes, unread). */
  readonly pms: (ProverMarket | null)[] = [];
  readonly quotes: (QuoteEntry | null)[] = [];
  readonly collaterals: bigint[] = [];
  private readonly free: number[] = [];
  private rows = 0;

  /** Rows in use or free (the high-water mark). */
  get capacity(): number {
    return this.rows;
  }

  /** A row for a new request, waiting and unlinked. */
  add(
    id: Hex32,
    marketId: number,
    requester: Address,
    maxPrice: bigint,
    assignBy: number,
    provingTime: number,
    seq: number,
    w0: number,
    w1: number,
    status: RequestStatus,
  ): number {
    let h = this.free.pop();
    if (h === undefined) {
      h = this.rows++;
      if ((h & PAGE_MASK) === 0) {
        this.intPages.push(new Int32Array((PAGE_MASK + 1) << INTS_SHIFT));
        this.floatPages.push(new Float64Array((PAGE_MASK + 1) << FLOATS_SHIFT));
      }
    }
    const ints = this.intPages[h >>> PAGE_SHIFT]!;
    const i = (h & PAGE_MASK) << INTS_SHIFT;
    ints[i + MARKET] = marketId >>> 0;
    ints[i + MARKET_HIGH] = Math.floor(marketId / TWO_32);
    ints[i + STATUS] = status;
    ints[i + W0] = w0;
    ints[i + W1] = w1;
    ints[i + PREV] = NONE;
    ints[i + NEXT] = NONE;
    ints[i + FLAGS] = LIVE;
    const floats = this.floatPages[h >>> PAGE_SHIFT]!;
    const f = (h & PAGE_MASK) << FLOATS_SHIFT;
    floats[f + SEQ] = seq;
    floats[f + ASSIGN_BY] = assignBy;
    floats[f + PROVING_TIME] = provingTime;
    this.ids[h] = id;
    this.requesters[h] = requester;
    this.maxPrices[h] = maxPrice;
    return h;
  }

  /** Give the row back: its request is gone for good (the caller made sure no undo needs it). */
  release(h: number): void {
    this.setInt(h, FLAGS, 0);
    this.ids[h] = undefined;
    this.requesters[h] = undefined;
    this.maxPrices[h] = 0n;
    this.pms[h] = null;
    this.quotes[h] = null;
    this.collaterals[h] = 0n;
    this.free.push(h);
  }

  private int(h: number, field: number): number {
    return this.intPages[h >>> PAGE_SHIFT]![((h & PAGE_MASK) << INTS_SHIFT) + field]!;
  }
  private setInt(h: number, field: number, v: number): void {
    this.intPages[h >>> PAGE_SHIFT]![((h & PAGE_MASK) << INTS_SHIFT) + field] = v;
  }
  private float(h: number, field: number): number {
    return this.floatPages[h >>> PAGE_SHIFT]![((h & PAGE_MASK) << FLOATS_SHIFT) + field]!;
  }
  private setFloat(h: number, field: number, v: number): void {
    this.floatPages[h >>> PAGE_SHIFT]![((h & PAGE_MASK) << FLOATS_SHIFT) + field] = v;
  }

  id(h: number): Hex32 {
    return this.ids[h]!;
  }
  marketId(h: number): number {
    return this.int(h, MARKET_HIGH) * TWO_32 + (this.int(h, MARKET) >>> 0);
  }
  status(h: number): RequestStatus {
    return this.int(h, STATUS) as RequestStatus;
  }
  setStatus(h: number, s: RequestStatus): void {
    this.setInt(h, STATUS, s);
  }
  w0(h: number): number {
    return this.int(h, W0);
  }
  w1(h: number): number {
    return this.int(h, W1);
  }
  seq(h: number): number {
    return this.float(h, SEQ);
  }
  assignBy(h: number): number {
    return this.float(h, ASSIGN_BY);
  }
  provingTime(h: number): number {
    return this.float(h, PROVING_TIME);
  }

  // The waiting list's links (see OrderBook).
  prev(h: number): number {
    return this.int(h, PREV);
  }
  next(h: number): number {
    return this.int(h, NEXT);
  }
  setPrev(h: number, p: number): void {
    this.setInt(h, PREV, p);
  }
  setNext(h: number, n: number): void {
    this.setInt(h, NEXT, n);
  }

  // The request's fact hash and its assignment's (see state-facts.ts).
  fact0(h: number): number {
    return this.int(h, FACT0);
  }
  fact1(h: number): number {
    return this.int(h, FACT1);
  }
  setFact(h: number, f0: number, f1: number): void {
    this.setInt(h, FACT0, f0);
    this.setInt(h, FACT1, f1);
  }
  assignmentFact0(h: number): number {
    return this.int(h, AFACT0);
  }
  assignmentFact1(h: number): number {
    return this.int(h, AFACT1);
  }
  setAssignmentFact(h: number, f0: number, f1: number): void {
    this.setInt(h, AFACT0, f0);
    this.setInt(h, AFACT1, f1);
  }

  /** True while the request is known (not forgotten, not rolled back). */
  isLive(h: number): boolean {
    return (this.int(h, FLAGS) & LIVE) !== 0;
  }
  setLive(h: number, live: boolean): void {
    this.flag(h, LIVE, live);
  }

  /** Open an assignment in the row: it holds capacity, and is not anchored yet. */
  open(
    h: number,
    pm: ProverMarket,
    q: QuoteEntry,
    collateral: bigint,
    c0: number,
    c1: number,
    deadline: number,
  ) {
    const ints = this.intPages[h >>> PAGE_SHIFT]!;
    const i = (h & PAGE_MASK) << INTS_SHIFT;
    ints[i + FLAGS] = (ints[i + FLAGS]! & LIVE) | OPEN | HELD;
    ints[i + C0] = c0;
    ints[i + C1] = c1;
    ints[i + QW0] = q.w0;
    ints[i + QW1] = q.w1;
    this.setFloat(h, DEADLINE, deadline);
    this.pms[h] = pm;
    this.quotes[h] = q;
    this.collaterals[h] = collateral;
  }

  /** Take the assignment back as if never made (undo of `open`). */
  unopen(h: number): void {
    this.setInt(h, FLAGS, this.int(h, FLAGS) & LIVE);
  }

  hasAssignment(h: number): boolean {
    return (this.int(h, FLAGS) & OPEN) !== 0;
  }
  setAssignmentOpen(h: number, open: boolean): void {
    this.flag(h, OPEN, open);
  }
  capacityHeld(h: number): boolean {
    return (this.int(h, FLAGS) & HELD) !== 0;
  }
  setCapacityHeld(h: number, held: boolean): void {
    this.flag(h, HELD, held);
  }
  anchored(h: number): boolean {
    return (this.int(h, FLAGS) & ANCHORED) !== 0;
  }
  setAnchored(h: number, anchored: boolean): void {
    this.flag(h, ANCHORED, anchored);
  }
  /** The assignment's flags as its fact has them: capacity held 1, anchored 2. */
  assignmentFlags(h: number): number {
    return (this.int(h, FLAGS) >> 2) & 3;
  }
  deadline(h: number): number {
    return this.float(h, DEADLINE);
  }
  collateralWord0(h: number): number {
    return this.int(h, C0);
  }
  collateralWord1(h: number): number {
    return this.int(h, C1);
  }
  quoteWord0(h: number): number {
    return this.int(h, QW0);
  }
  quoteWord1(h: number): number {
    return this.int(h, QW1);
  }

  private flag(h: number, bit: number, on: boolean): void {
    const flags = this.int(h, FLAGS);
    this.setInt(h, FLAGS, on ? flags | bit : flags & ~bit);
  }
}

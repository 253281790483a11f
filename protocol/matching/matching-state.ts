/**
 * The records of the matching engine and the primitive mutations on them. Every mutation keeps the
 * state digest in step and, inside a batch under verification, records its undo in the journal; the
 * engine (engine.ts) builds the matching rule from these primitives only.
 */
import type { Address, Hex32 } from "../bytes.js";
import { ANCHOR_GRACE_S } from "../constants.js";
import { IdTable, tailWord } from "./id-table.js";
import type { Journal } from "./journal.js";
import { MinHeap } from "./min-heap.js";
import { OrderBook } from "./order-book.js";
import { RequestStore } from "./request-store.js";
import { type AssignmentView, assignmentView, KnownRequests } from "./request-views.js";
import { ScratchList } from "./scratch-list.js";
import { hexWord, StateDigest } from "./state-digest.js";
import { assignmentFact, pmFact, proverFact, requestFact } from "./state-facts.js";
import {
  type MarketParams,
  type Prover,
  type ProverMarket,
  type QuoteEntry,
  REQUEST_STATUS,
  type RequestStatus,
} from "./types.js";
import {
  undoDrop,
  undoEligible,
  undoForget,
  undoInFlight,
  undoLink,
  undoNewProver,
  undoNewProverMarket,
  undoRelease,
  undoStatus,
} from "./undo.js";

/** A market: its rules and its book. */
export interface Market {
  params: MarketParams;
  /** Digest words of the collateral per request. */
  cpr0: number;
  cpr1: number;
  /** The collateral per request as a float, to compare with a prover's `freeKey`. */
  cprKey: number;
  book: OrderBook;
  /** Every prover that has quoted here, to re-check eligibility when the rules change. */
  provers: ProverMarket[];
  /** Quotes that became eligible during the current event: waiting requests may fit them. */
  fresh: ScratchList<QuoteEntry>;
}

/** The market of a prover's own record until it first quotes (never read: `marketId` is -1). */
const NOT_QUOTED: Market = {
  params: {
    marketId: -1,
    collateralPerRequest: 0n,
    minProvingTime: 0,
    maxProvingTime: 0,
    requiresTee: false,
  },
  cpr0: 0,
  cpr1: 0,
  cprKey: 0,
  book: new OrderBook(new RequestStore()),
  provers: [],
  fresh: new ScratchList(),
};

/** Placeholder of a new prover's `prover` field, which is set to the prover itself at once. */
const SELF = null as unknown as Prover;

/** Options of the engine; each default is what a test or a bench wants. */
export interface MatchingInit {
  /**
   * Keys where records sit in the id tables (never what matching does): a node passes a random one
   * so that ids ground by their signers cannot pile into one probe chain. Default 0.
   */
  hashSeed?: number;
  /**
   * Seconds past assign-by an unanchored assignment is kept (see ANCHOR_GRACE_S, the default). Every
   * replica must use the same: only tests change it, to reach the void in a few steps.
   */
  anchorGrace?: number;
}

/** The state every replica holds; mutated only through the engine's events. */
export class MatchingState {
  /** Chain time (s) of the latest `advance`: the only clock matching knows. */
  time = 0;
  /** Sequence number the next event gets: its position in the log. */
  nextSeq = 0;
  readonly markets = new Map<number, Market>();
  readonly provers: IdTable<Address, Prover>;
  /**
   * Known requests: waiting, assigned or cancelled, until their assign-by time (and, when assigned,
   * until the assignment settles). A request's open assignment is in its row: one table, not two.
   */
  readonly requestRows = new RequestStore();
  /** Each known request's row, by id. */
  readonly requestIds: IdTable<Hex32, number>;
  /** Known requests, as copies (for views and tests). */
  readonly requests: KnownRequests;
  readonly digest = new StateDigest();
  /** Each request's assign-by (and then assign-by + grace), by its row. */
  protected readonly requestExpiry = new MinHeap<number>();
  /** Each quote's valid-until, by its prover's slot in the market. */
  protected readonly quoteExpiry = new MinHeap<ProverMarket>();
  /** Each assignment's deadline, by its request's row. */
  protected readonly deadlines = new MinHeap<number>();
  /**
   * Rows of requests forgotten in the batch under verification: given back when it commits, not
   * before (a rollback brings them back, so no new request may take them meanwhile).
   */
  protected readonly forgotten: number[] = [];
  /** Markets with fresh quotes in the current event. */
  protected readonly freshMarkets = new ScratchList<Market>();
  protected j: Journal | null = null;
  protected readonly anchorGrace: number;

  constructor(init: MatchingInit = {}) {
    const seed = init.hashSeed ?? 0;
    this.anchorGrace = init.anchorGrace ?? ANCHOR_GRACE_S;
    this.provers = new IdTable((p) => p.address, seed, sameProver);
    const rows = this.requestRows;
    this.requestIds = new IdTable((h) => rows.id(h), seed);
    this.requests = new KnownRequests(this.requestIds, rows);
  }

  /** Put a quote in or out of its market's index as its eligibility now says. */
  protected refresh(pm: ProverMarket): void {
    const q = pm.quote;
    const m = pm.market;
    const on = q !== null && pm.inFlight < q.capacity && hasFree(pm.prover, m);
    if (on !== pm.eligible) this.setEligible(pm, q!, m, on);
  }

  /** Collateral is shared by all of a prover's markets: re-check each. */
  protected refreshProver(p: Prover): void {
    const pms = p.markets;
    for (let i = 0; i < pms.length; i++) this.refresh(pms[i]!);
  }

  /** `q` is `pm.quote`, passed as a reference only: going out of the index does not read it. */
  private setEligible(pm: ProverMarket, q: QuoteEntry, m: Market, on: boolean): void {
    pm.eligible = on;
    if (on) {
      m.book.quotes.insert(q);
      pm.quoteSlot = q.indexSlot;
      if (m.fresh.length === 0) this.freshMarkets.push(m);
      m.fresh.push(q);
    } else m.book.quotes.discardAt(pm.quoteSlot);
    this.j?.push(undoEligible(pm, q, m, on));
  }

  /**
   * Take the slot's quote out of service (replaced or lapsed); its prover's in-flight work stays
   * counted. Reads the slot only (see `ProverMarket.quoteSlot`): the quote is likely out of cache.
   */
  protected dropQuote(pm: ProverMarket): void {
    const q = pm.quote!;
    if (pm.eligible) this.setEligible(pm, q, pm.market, false);
    this.digest.subtract(pm.quoteFact0, pm.quoteFact1);
    this.j?.push(undoDrop(this, q));
  }

  /** The prover's record, created with zero collateral on first sight. */
  protected prover(address: Address): Prover {
    // The id table's words are the digest's: the address's digits are read once.
    const w0 = tailWord(address, 1);
    const w1 = tailWord(address, 2);
    const found = this.provers.getAt(address, w0, w1);
    if (found !== undefined) return found;
    const p: Prover = {
      address,
      w0,
      w1,
      h0: hexWord(address, 0),
      h1: hexWord(address, 1),
      h2: hexWord(address, 2),
      total: 0n,
      held: 0n,
      // -0, not 0: a float from the start (0 is a small integer to V8). Collateral in wei is past
      // 2^31 at once, and a field that turns from small integer to float changes the record's
      // shape: V8 then migrates every prover record on its next touch.
      freeKey: -0,
      markets: [],
      // Its standing in a market, unused until it first quotes (see `Prover`). Every field is in
      // the literal, so that every prover has one shape with every field in the object.
      marketId: -1,
      market: NOT_QUOTED,
      prover: SELF,
      quote: null,
      // Below every nonce, and a float from the start (see freeKey): nonces are u64.
      nonceKey: Number.NEGATIVE_INFINITY,
      n0: 0,
      n1: 0,
      inFlight: 0,
      eligible: false,
      quoteSlot: -1,
      quoteFact0: 0,
      quoteFact1: 0,
      fact0: 0,
      fact1: 0,
    };
    p.prover = p;
    this.provers.addAt(address, w0, w1, p);
    proverFact(this.digest, 1, p);
    this.j?.push(undoNewProver(this, p));
    return p;
  }

  protected proverMarket(p: Prover, m: Market): ProverMarket {
    const id = m.params.marketId;
    if (p.marketId === id) return p;
    const pms = p.markets;
    for (let i = 1; i < pms.length; i++) if (pms[i]!.marketId === id) return pms[i]!;
    let pm: ProverMarket;
    if (p.marketId === -1) {
      pm = p;
      p.marketId = id;
      p.market = m;
    } else {
      // The same fields as a prover's own record has, written out: a literal with a spread does
      // not keep its fields inside the object.
      pm = {
        marketId: id,
        market: m,
        prover: p,
        quote: null,
        nonceKey: Number.NEGATIVE_INFINITY,
        n0: 0,
        n1: 0,
        inFlight: 0,
        eligible: false,
        quoteSlot: -1,
        quoteFact0: 0,
        quoteFact1: 0,
        fact0: 0,
        fact1: 0,
      };
    }
    p.markets.push(pm);
    m.provers.push(pm);
    pmFact(this.digest, 1, pm);
    this.j?.push(undoNewProverMarket(this, pm, m));
    return pm;
  }

  protected setStatus(h: number, status: RequestStatus): void {
    const rows = this.requestRows;
    const old = rows.status(h);
    requestFact(this.digest, -1, rows, h);
    rows.setStatus(h, status);
    requestFact(this.digest, 1, rows, h);
    this.j?.push(undoStatus(this, h, old));
  }

  protected addInFlight(pm: ProverMarket, delta: 1 | -1): void {
    pmFact(this.digest, -1, pm);
    pm.inFlight += delta;
    pmFact(this.digest, 1, pm);
    this.j?.push(undoInFlight(pm, delta));
  }

  /** The assignment's deadline passed or it settled: its prover's capacity is free again. */
  protected releaseCapacity(h: number): void {
    const rows = this.requestRows;
    assignmentFact(this.digest, -1, rows, h);
    rows.setCapacityHeld(h, false);
    assignmentFact(this.digest, 1, rows, h);
    this.j?.push(undoRelease(this, h));
    this.addInFlight(rows.pms[h]!, -1);
  }

  /** The open assignment of a request, if any (a copy). */
  assignment(requestId: Hex32): AssignmentView | undefined {
    const h = this.requestIds.get(requestId);
    return h === undefined ? undefined : assignmentView(this.requestRows, h);
  }

  /** Every open assignment (unordered: for views and tests; copies). */
  *openAssignments(): IterableIterator<AssignmentView> {
    for (const h of this.requestIds.values()) {
      const a = assignmentView(this.requestRows, h);
      if (a !== undefined) yield a;
    }
  }

  /** The request leaves the state: past its assign-by time, with no open assignment. */
  protected forgetRequest(h: number): void {
    const rows = this.requestRows;
    const m = this.markets.get(rows.marketId(h))!;
    if (rows.status(h) === REQUEST_STATUS.waiting) {
      m.book.unlink(h);
      this.j?.push(undoLink(m, h, false));
    }
    this.requestIds.delete(rows.id(h));
    requestFact(this.digest, -1, rows, h);
    rows.setLive(h, false);
    if (this.j === null) rows.release(h);
    else {
      this.j.push(undoForget(this, h));
      this.forgotten.push(h);
    }
  }
}

/**
 * Is `p` the prover at `address`, given that the id table matched its last 64 bits? Its first 96 bits
 * say, without reading its address string (a cache miss of its own): addresses are lowercase hex of
 * fixed width (protocol/bytes.ts), so equal words are equal strings.
 */
function sameProver(p: Prover, address: Address): boolean {
  return p.h0 === hexWord(address, 0) && p.h1 === hexWord(address, 1) && p.h2 === hexWord(address, 2);
}

/** Set a prover's collateral, total and held, keeping its `freeKey` in step. */
export function setCollateral(p: Prover, total: bigint, held: bigint): void {
  p.total = total;
  p.held = held;
  p.freeKey = Number(total - held);
}

/**
 * Does the prover's free collateral cover one more assignment in `m`? Number() of a bigint rounds
 * but never reverses order, so keys that differ decide it; only equal keys need the bigints.
 */
function hasFree(p: Prover, m: Market): boolean {
  if (p.freeKey !== m.cprKey) return p.freeKey > m.cprKey;
  return p.total - p.held >= m.params.collateralPerRequest;
}

/**
 * The records the matching engine keeps. They are mutable and linked to each other for O(1) updates;
 * callers outside `protocol/matching` read them (tests, the node's status views) but never write them.
 */
import type { Address, Hex32 } from "../bytes.js";
import type { Market } from "./matching-state.js";
import type { FactHash } from "./state-digest.js";

/** Where a known request stands. */
export const REQUEST_STATUS = { waiting: 0, assigned: 1, cancelled: 2 } as const;
export type RequestStatus = (typeof REQUEST_STATUS)[keyof typeof REQUEST_STATUS];

/** The market's rules that matching needs, as the `market` log event carries them. */
export interface MarketParams {
  marketId: number;
  /** Collateral held from the prover's free collateral per open assignment, in wei. */
  collateralPerRequest: bigint;
  minProvingTime: number;
  maxProvingTime: number;
  requiresTee: boolean;
}

/** A request entering the engine: already validated, its id already computed. */
export interface RequestInput {
  id: Hex32;
  marketId: number;
  requester: Address;
  maxPrice: bigint;
  assignBy: number;
  provingTime: number;
}

/** A quote entering the engine: already validated, its id already computed; proving time in whole seconds. */
export interface QuoteInput {
  id: Hex32;
  marketId: number;
  prover: Address;
  price: bigint;
  provingTime: number;
  capacity: number;
  validUntil: number;
  nonce: bigint;
}

/** What callers outside the engine see of a request and of its open assignment: copies. */
export type { AssignmentView as AssignmentEntry, RequestView as RequestEntry } from "./request-views.js";

/**
 * A prover's quote in one market: what matching reads of it. Its market and prover are its `pm`'s,
 * its nonce is in `pm.n0` and `pm.n1`.
 */
export interface QuoteEntry extends FactHash {
  readonly id: Hex32;
  readonly price: bigint;
  readonly provingTime: number;
  readonly capacity: number;
  readonly seq: number;
  /**
   * When it lapses. Its entry in the expiry heap says the same; an entry whose time or seq differ
   * is a stale one (of a quote since replaced, or rolled back and sequenced anew).
   */
  readonly validUntil: number;
  /**
   * `price` as a float: Number(bigint) never reverses order, so a < b on floats implies a < b on
   * prices, and the index compares floats first (much cheaper than bigints), bigints only on a tie.
   */
  readonly priceKey: number;
  readonly w0: number;
  readonly w1: number;
  readonly pm: ProverMarket;
  /** Its slot in the market's quote index (kept by the index; -1 before it first goes in). */
  indexSlot: number;
}

/**
 * A prover as matching sees it: collateral is per prover, shared by all its markets. The record is
 * also its standing in the first market it quotes in (`marketId` is -1 until then): most provers
 * quote in one market, and a quote refresh then reads one record where two were two cache misses.
 */
export interface Prover extends ProverMarket {
  address: Address;
  /** The last two words of the address (its id table words): its words in the digest. */
  w0: number;
  w1: number;
  /** Its first three words: with `w0` and `w1`, every digit (see sameProver). */
  h0: number;
  h1: number;
  h2: number;
  /** Total collateral on-chain (free + locked), from the latest `collateral` event. */
  total: bigint;
  /** Collateral held by its open assignments (released by proof or slash). */
  held: bigint;
  /**
   * `total - held` as a float (rounded: Number never reverses order), so that most checks of free
   * collateral compare floats, not bigints (which allocate). Set with `total` and `held`, always.
   */
  freeKey: number;
  /**
   * Its standing in each market it has quoted in, itself first. An array, not a Map: a prover quotes in a few
   * markets, a scan of a few entries beats a hash table (and a Map per prover costs ~200 bytes).
   */
  markets: ProverMarket[];
}

/**
 * A prover in one market: at most one current quote (a newer nonce replaces it), and the
 * assignments in flight against its capacity, which carry over when the quote is refreshed.
 */
export interface ProverMarket extends FactHash {
  /** -1 in a prover's own record until it first quotes (see `Prover`). */
  marketId: number;
  /** Its market's record (the engine's Map holds the same): found without a lookup. */
  market: Market;
  prover: Prover;
  quote: QuoteEntry | null;
  /**
   * Highest quote nonce sequenced (an older or equal nonce is a replay and is skipped), as a float
   * (-Infinity before the first), so that most replay checks compare floats (see `isStale`), and
   * exactly in two words, low and high (as int32: read them unsigned).
   */
  nonceKey: number;
  n0: number;
  n1: number;
  /** Assignments holding capacity: from assignment until proof, slash or deadline. */
  inFlight: number;
  /** True while its quote is in the market's index: live, free capacity, enough free collateral. */
  eligible: boolean;
  /**
   * Copies of its quote's index slot (while `eligible`) and fact hash (while it has a quote): taking
   * the quote out of service reads them here, in a record already in cache, and not the quote.
   */
  quoteSlot: number;
  quoteFact0: number;
  quoteFact1: number;
}

/** What an event did: for tests, logs and metrics; matching results are the assignments. */
export type EventOutcome =
  | "assigned"
  | "waiting"
  | "cancelled"
  | "quoted"
  | "updated"
  | "settled"
  | "anchored"
  | "duplicate"
  | "expired"
  | "stale_nonce"
  | "unknown_market"
  | "unknown_request"
  | "not_requester"
  | "not_waiting";

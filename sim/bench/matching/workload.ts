/** The matching bench's workload: resting quotes, the event mix, inputs as a node holds them. */
import type { Address, Hex32 } from "../../../protocol/bytes.js";
import { MatchingEngine } from "../../../protocol/matching/engine.js";
import type { QuoteInput, RequestInput } from "../../../protocol/matching/types.js";

export const RESTING_QUOTES = 100_000;
export const MARKET = 1;
export const NOW = 1_700_000_000;
/** Events between two `takeAssignments`, as the leader drains them per batch. */
export const BATCH_EVENTS = 4096;

/** Deterministic PRNG (xorshift32), so every run measures the same workload. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

/**
 * Ids and addresses as a node holds them after gossip validation: flat strings (JSON.parse makes a
 * flat copy of a concatenation) whose hash V8 has cached, because the node's dedupe cache has
 * already looked each id up. Both engines get the same strings. The lookup caches the hash in the
 * string; the set does not keep the string (a node's dedupe cache forgets, and a pass's heap must
 * not hold every id the process made).
 */
const seen = new Set<string>();
function hex(n: number, bytes: number): string {
  const s = JSON.parse(`"0x${n.toString(16).padStart(2 * bytes, "0")}"`) as string;
  seen.add(s);
  seen.delete(s);
  return s;
}

export const id = (n: number) => hex(n, 32) as Hex32;
export const addr = (n: number) => hex(n, 20) as Address;
export const REQUESTER = addr(0xabcdef);

export function quoteInput(
  n: number,
  prover: number,
  price: number,
  provingTime: number,
  nonce: number,
): QuoteInput {
  return {
    id: id(n),
    marketId: MARKET,
    prover: addr(prover + 1),
    price: BigInt(price),
    provingTime,
    capacity: 1_000_000,
    validUntil: NOW + 3600,
    nonce: BigInt(nonce),
  };
}

export function requestInput(n: number, maxPrice: number): RequestInput {
  return {
    id: id(n),
    marketId: MARKET,
    requester: REQUESTER,
    maxPrice: BigInt(maxPrice),
    assignBy: NOW + 600,
    provingTime: 600,
  };
}

/** One event of the mix, in both engines' shapes. */
export type Op =
  | { k: "request"; r: RequestInput; matches: boolean }
  | { k: "cancel"; id: Hex32 }
  | { k: "quote"; q: QuoteInput }
  | { k: "settle"; id: Hex32 };

/** Quote prices: 100,000 resting quotes between 1,000 and 11,000 (price units), proving 60-600 s. */
export function restingQuotes(rand: () => number): QuoteInput[] {
  const out: QuoteInput[] = [];
  for (let i = 0; i < RESTING_QUOTES; i++) {
    out.push(quoteInput(1e9 + i, i, 1000 + Math.floor(rand() * 10_000), 60 + Math.floor(rand() * 540), 1));
  }
  return out;
}

/**
 * The mix: 30% requests that match at once, 20% requests priced below every quote (they wait), 20%
 * cancels of waiting requests, 20% quote refreshes (a prover re-prices: a new nonce replaces its
 * quote), 10% proofs that settle an earlier assignment. Generated one batch at a time, just before
 * the batch is applied, as a node decodes gossip just before sequencing it: inputs are in cache,
 * as they are in a running node.
 */
export class Mix {
  private readonly rand: () => number;
  private readonly waiting: Hex32[] = [];
  private readonly assigned: Hex32[] = [];
  private settled = 0;
  private n = 2e9;
  private i = 0;
  readonly counts: Record<string, number> = {};

  constructor(seed: number) {
    this.rand = rng(seed);
  }

  next(count: number): Op[] {
    const ops: Op[] = [];
    for (let c = 0; c < count; c++) {
      const op = this.one();
      const kind = op.k !== "request" ? op.k : op.matches ? "request_match" : "request_wait";
      this.counts[kind] = (this.counts[kind] ?? 0) + 1;
      ops.push(op);
    }
    return ops;
  }

  private one(): Op {
    const rand = this.rand;
    const x = rand();
    this.i++;
    if (x < 0.3) {
      const r = requestInput(this.n++, 20_000);
      this.assigned.push(r.id);
      return { k: "request", r, matches: true };
    }
    if (x < 0.5) {
      const r = requestInput(this.n++, 500);
      this.waiting.push(r.id);
      return { k: "request", r, matches: false };
    }
    if (x < 0.7 && this.waiting.length > 0) {
      // Cancel a random waiting request, not the newest: the book's depth must not help.
      const at = Math.floor(rand() * this.waiting.length);
      const last = this.waiting.pop()!;
      const pick = at < this.waiting.length ? this.waiting[at]! : last;
      if (at < this.waiting.length) this.waiting[at] = last;
      return { k: "cancel", id: pick };
    }
    if (x < 0.9 || this.settled >= this.assigned.length) {
      const p = Math.floor(rand() * RESTING_QUOTES);
      const price = 1000 + Math.floor(rand() * 10_000);
      return { k: "quote", q: quoteInput(this.n++, p, price, 60 + Math.floor(rand() * 540), 2 + this.i) };
    }
    return { k: "settle", id: this.assigned[this.settled++]! };
  }
}

export function loadedEngine(quotes: readonly QuoteInput[]): MatchingEngine {
  const e = new MatchingEngine();
  e.advance(NOW);
  e.market({
    marketId: MARKET,
    collateralPerRequest: 1n,
    minProvingTime: 1,
    maxProvingTime: 3600,
    requiresTee: false,
  });
  for (let p = 0; p < RESTING_QUOTES; p++) e.collateral(addr(p + 1), 10n ** 24n);
  for (const q of quotes) e.quote(q);
  return e;
}

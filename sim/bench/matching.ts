/**
 * `npm run bench -- matching [events]`: the matching engine core against nodejs-order-book.
 *
 * What is measured is the engine core (protocol/matching): events arrive already validated, ids
 * computed, as they do after gossip validation (signature recovery costs ~60 us per message with
 * native secp256k1 and happens once per message at gossip, before the book; see the `validation`
 * bench figures in STACK.md). Inputs are built before the clock starts, for both engines.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { OrderBook as Baseline, Side } from "nodejs-order-book";
import type { Address, Hex32 } from "../../protocol/bytes.js";
import { fromHex, ZERO_HASH } from "../../protocol/bytes.js";
import { makeDomain } from "../../protocol/eip712.js";
import { applyBatch } from "../../protocol/log/apply-batch.js";
import { createLogState } from "../../protocol/log/log-state.js";
import { sealBatch, sequence } from "../../protocol/log/sequence.js";
import { MatchingEngine } from "../../protocol/matching/engine.js";
import type { QuoteInput, RequestInput } from "../../protocol/matching/types.js";
import type { LogEvent, SignedBatch } from "../../protocol/messages.js";
import { signBatchHeader, signQuote, signRequest } from "../../protocol/sign.js";
import { privateKeyToAddress } from "../../protocol/signature.js";
import { type Suite, sig } from "./metric.js";

const RESTING_QUOTES = 100_000;
const MARKET = 1;
const NOW = 1_700_000_000;
/** Events between two `takeAssignments`, as the leader drains them per batch. */
const BATCH_EVENTS = 4096;

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
 * already looked each id up. Both engines get the same strings.
 */
const seen = new Set<string>();
function hex(n: number, bytes: number): string {
  const s = JSON.parse(`"0x${n.toString(16).padStart(2 * bytes, "0")}"`) as string;
  seen.add(s);
  return s;
}

const id = (n: number) => hex(n, 32) as Hex32;
const addr = (n: number) => hex(n, 20) as Address;
const REQUESTER = addr(0xabcdef);

function quoteInput(
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

function requestInput(n: number, maxPrice: number): RequestInput {
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
type Op =
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

/** Events per second of the engine over `events` events of the mix, timing only the engine. */
export function runEngine(e: MatchingEngine, mix: Mix, events: number): number {
  let ms = 0;
  for (let done = 0; done < events; done += BATCH_EVENTS) {
    const ops = mix.next(Math.min(BATCH_EVENTS, events - done));
    const t0 = performance.now();
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.k === "request") e.request(op.r);
      else if (op.k === "cancel") e.cancel(op.id, REQUESTER);
      else if (op.k === "quote") e.quote(op.q);
      else e.settle(op.id);
    }
    e.takeAssignments();
    ms += performance.now() - t0;
  }
  return events / (ms / 1000);
}

/**
 * The nearest equivalent on nodejs-order-book: quotes are resting asks, requests are bids (size 1;
 * a matching one crosses the best ask), cancels cancel bids, a quote refresh cancels the prover's
 * ask and places a new one. It has no capacity, collateral, proving time or proofs: settles are
 * not sent to it, and it is timed over the events it does get.
 */
function runBaseline(quotes: readonly QuoteInput[], mix: Mix, events: number): number {
  const book = new Baseline();
  const askOf = new Map<string, string>();
  for (const q of quotes) {
    book.limit({ id: q.id, side: Side.SELL, size: 1_000_000, price: Number(q.price) });
    askOf.set(q.prover, q.id);
  }
  let sent = 0;
  let ms = 0;
  for (let done = 0; done < events; done += BATCH_EVENTS) {
    const ops = mix.next(Math.min(BATCH_EVENTS, events - done));
    const limits = ops.map((op) => {
      if (op.k === "request") return { id: op.r.id, side: Side.BUY, size: 1, price: Number(op.r.maxPrice) };
      if (op.k === "quote")
        return { id: op.q.id, side: Side.SELL, size: 1_000_000, price: Number(op.q.price) };
      return undefined;
    });
    const t0 = performance.now();
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.k === "settle") continue;
      sent++;
      if (op.k === "request") book.limit(limits[i]!);
      else if (op.k === "cancel") book.cancel(op.id);
      else {
        const old = askOf.get(op.q.prover);
        if (old !== undefined) book.cancel(old);
        book.limit(limits[i]!);
        askOf.set(op.q.prover, op.q.id);
      }
    }
    ms += performance.now() - t0;
  }
  return sent / (ms / 1000);
}

/**
 * The log layer around the engine, for scale: what a leader (`sequence`) and a follower
 * (`applyBatch`) sustain on signed requests, with signatures and batch body hashes taken as checked
 * at gossip (the `verified` and `bodyVerified` options). Computing each request's EIP-712 id and
 * each event's hash (keccak, in JS) is most of it.
 */
function logLayerRates(requests: number): { leader: number; follower: number } {
  const market = makeDomain(31337, `0x${"5f".repeat(20)}`);
  const matcher = makeDomain(31337, `0x${"e7".repeat(20)}`);
  const requesterKey = fromHex(`0x${"11".repeat(32)}`);
  const requester = privateKeyToAddress(requesterKey);
  const events: LogEvent[] = [
    {
      kind: "market",
      marketId: 1,
      collateralPerRequest: 0n,
      minProvingTime: 1,
      maxProvingTime: 3600,
      requiresTee: false,
      block: 1,
    },
  ];
  for (let i = 0; i < 50; i++) {
    const key = fromHex(`0x${(0x20 + i).toString(16).padStart(64, "0")}`);
    const quote = {
      marketId: 1,
      prover: privateKeyToAddress(key),
      price: BigInt(1000 + i),
      provingTime: 60,
      capacity: 1_000_000,
      validUntil: NOW + 3000,
      nonce: 1n,
    };
    events.push({ kind: "quote", signed: signQuote(market, quote, key) });
  }
  for (let i = 0; i < requests; i++) {
    const request = {
      marketId: 1,
      requester,
      inputsHash: ZERO_HASH,
      secretHash: ZERO_HASH,
      maxPrice: 10n ** 15n,
      assignBy: NOW + 600,
      provingTime: 120,
      nonce: BigInt(i),
    };
    events.push({ kind: "request", signed: signRequest(market, request, requesterKey) });
  }
  const verified = () => true;
  const leader = createLogState({ marketDomain: market, matcherDomain: matcher });
  const batches: SignedBatch[] = [];
  let t0 = performance.now();
  for (let i = 0; i < events.length; i += BATCH_EVENTS) {
    const s = sequence(leader, events.slice(i, i + BATCH_EVENTS), NOW, { term: 1, verified });
    batches.push(sealBatch(s, signBatchHeader(matcher, s.header, requesterKey)));
  }
  const leaderMs = performance.now() - t0;
  const follower = createLogState({ marketDomain: market, matcherDomain: matcher });
  t0 = performance.now();
  for (const b of batches) applyBatch(follower, b, { verified, bodyVerified: true });
  const followerMs = performance.now() - t0;
  return { leader: events.length / (leaderMs / 1000), follower: events.length / (followerMs / 1000) };
}

/** Cancels per second of `depth` waiting requests at one price, cancelled in random order. */
function cancelRate(
  depth: number,
  rounds: number,
  rand: () => number,
  withBaseline = true,
): { ours: number; baseline: number } {
  let ours = 0;
  let theirs = 0;
  let cancels = 0;
  for (let round = 0; round < rounds; round++) {
    const rs = Array.from({ length: depth }, (_, i) => requestInput(3e9 + round * depth + i, 500));
    const order = rs.map((r) => r.id).sort(() => rand() - 0.5);
    const e = new MatchingEngine();
    e.advance(NOW);
    e.market({
      marketId: MARKET,
      collateralPerRequest: 0n,
      minProvingTime: 1,
      maxProvingTime: 3600,
      requiresTee: false,
    });
    for (const r of rs) e.request(r);
    let t0 = performance.now();
    for (const rid of order) e.cancel(rid, REQUESTER);
    ours += performance.now() - t0;
    cancels += depth;
    if (!withBaseline) continue;
    const book = new Baseline();
    for (const r of rs) book.limit({ id: r.id, side: Side.BUY, size: 1, price: 500 });
    t0 = performance.now();
    for (const rid of order) book.cancel(rid);
    theirs += performance.now() - t0;
  }
  return { ours: cancels / (ours / 1000), baseline: withBaseline ? cancels / (theirs / 1000) : Number.NaN };
}

function gcFunction(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

/** Heap growth (bytes) while `fill` runs, after full collections on both sides. */
function heapGrowth(gc: () => void, fill: () => unknown): { bytes: number; kept: unknown } {
  gc();
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const kept = fill();
  gc();
  gc();
  return { bytes: process.memoryUsage().heapUsed - h0, kept };
}

/** Heap bytes per order held: resting quotes (with their provers) and waiting requests, each alone. */
function bytesPerOrder(orders: number): { quote: number; request: number; baseline: number } {
  const gc = gcFunction();
  const rand = rng(7);
  const quotes = Array.from({ length: orders }, (_, i) =>
    quoteInput(5e9 + i, i, 1000 + Math.floor(rand() * 10_000), 60, 1),
  );
  const requests = Array.from({ length: orders }, (_, i) => requestInput(6e9 + i, 500));
  const emptyEngine = () => {
    const e = new MatchingEngine();
    e.advance(NOW);
    e.market({
      marketId: MARKET,
      collateralPerRequest: 0n,
      minProvingTime: 1,
      maxProvingTime: 3600,
      requiresTee: false,
    });
    return e;
  };
  // The inputs (ids, addresses) exist before either book takes them: what is counted is the book's own.
  const q = heapGrowth(gc, () => {
    const e = emptyEngine();
    for (const x of quotes) e.quote(x);
    return e;
  });
  const r = heapGrowth(gc, () => {
    const e = emptyEngine();
    for (const x of requests) e.request(x);
    return e;
  });
  const b = heapGrowth(gc, () => {
    const book = new Baseline();
    for (const x of quotes) book.limit({ id: x.id, side: Side.SELL, size: 1, price: Number(x.price) });
    return book;
  });
  if (!q.kept || !r.kept || !b.kept) throw new Error("unreachable: the books stay alive until measured");
  return { quote: q.bytes / orders, request: r.bytes / orders, baseline: b.bytes / orders };
}

const suite: Suite = async (emit, args) => {
  const events = Number(args[0] ?? 1_000_000);
  const rand = rng(42);
  const quotes = restingQuotes(rand);
  // Warm up both on a fresh copy, then measure on another, each over the same mix (same seed).
  runEngine(loadedEngine(quotes), new Mix(1), 100_000);
  runBaseline(quotes, new Mix(1), 100_000);
  const mix = new Mix(7);
  const ours = runEngine(loadedEngine(quotes), mix, events);
  const baseline = runBaseline(quotes, new Mix(7), events);
  const log = logLayerRates(20_000);
  emit({
    name: "matching.events_per_s",
    value: sig(ours),
    unit: "events/s",
    baseline: sig(baseline),
    ratio: sig(ours / baseline, 3),
    params: {
      events,
      resting_quotes: RESTING_QUOTES,
      mix: mix.counts,
      batch_events: BATCH_EVENTS,
      log_layer_events_per_s: { leader_sequence: sig(log.leader), follower_apply_batch: sig(log.follower) },
      measured: "engine core: events validated (signatures, ids) before entering, as after gossip validation",
      baseline:
        "nodejs-order-book 10.1.1: asks = quotes, bids = requests, refresh = cancel + limit, no settles",
    },
  });
  const cancel = cancelRate(1000, 200, rand);
  const shallow = cancelRate(10, 20_000, rand);
  // nodejs-order-book's cancel scans the price level: at 100,000 deep it would take minutes.
  const deep = cancelRate(100_000, 2, rand, false);
  emit({
    name: "matching.cancel_per_s_depth_1000",
    value: sig(cancel.ours),
    unit: "cancels/s",
    baseline: sig(cancel.baseline),
    ratio: sig(cancel.ours / cancel.baseline, 3),
    params: {
      depth: 1000,
      order: "random",
      same_price: true,
      cancel_per_s_depth_10: sig(shallow.ours),
      cancel_per_s_depth_100000: sig(deep.ours),
    },
  });
  const mem = bytesPerOrder(100_000);
  emit({
    name: "matching.bytes_per_order",
    value: sig((mem.quote + mem.request) / 2),
    unit: "bytes",
    baseline: sig(mem.baseline),
    ratio: sig((mem.quote + mem.request) / 2 / mem.baseline, 3),
    params: {
      orders: 100_000,
      bytes_per_quote: sig(mem.quote),
      bytes_per_request: sig(mem.request),
      note: "quote includes its new prover's records; ids and inputs are the caller's and not counted",
    },
  });
};

export default suite;

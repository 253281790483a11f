/** Timed runs of the mix and of cancels, on the engine and on nodejs-order-book. */
import { OrderBook as Baseline, Side } from "nodejs-order-book";
import { MatchingEngine } from "../../../protocol/matching/engine.js";
import type { QuoteInput } from "../../../protocol/matching/types.js";
import { BATCH_EVENTS, MARKET, type Mix, NOW, REQUESTER, requestInput } from "./workload.js";

/**
 * A measured run over the mix: `clockMs` times the engine's calls alone; `windowMs` the whole run,
 * building each batch of inputs included (from `start` to `end`, performance.now() time). A run
 * given no engine builds the inputs alone, by the same loop: what the window costs without it.
 */
export interface Run {
  /** Events the engine was sent. */
  sent: number;
  clockMs: number;
  windowMs: number;
  start: number;
  end: number;
}

/** The engine over `events` events of the mix; with `e` null, the inputs alone. */
export function runEngine(e: MatchingEngine | null, mix: Mix, events: number): Run {
  let ms = 0;
  const start = performance.now();
  for (let done = 0; done < events; done += BATCH_EVENTS) {
    const ops = mix.next(Math.min(BATCH_EVENTS, events - done));
    if (e === null) continue;
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
  const end = performance.now();
  return { sent: events, clockMs: ms, windowMs: end - start, start, end };
}

/** nodejs-order-book loaded with the resting quotes (as asks), and each prover's ask. */
export interface BaselineBook {
  book: Baseline;
  askOf: Map<string, string>;
}

export function loadedBaseline(quotes: readonly QuoteInput[]): BaselineBook {
  const book = new Baseline();
  const askOf = new Map<string, string>();
  for (const q of quotes) {
    book.limit({ id: q.id, side: Side.SELL, size: 1_000_000, price: Number(q.price) });
    askOf.set(q.prover, q.id);
  }
  return { book, askOf };
}

/**
 * The nearest equivalent on nodejs-order-book: quotes are resting asks, requests are bids (size 1;
 * a matching one crosses the best ask), cancels cancel bids, a quote refresh cancels the prover's
 * ask and places a new one. It has no capacity, collateral, proving time or proofs: settles are
 * not sent to it, and it is timed over the events it does get. Its inputs are the mix's events and
 * their orders in its shape. With `b` null, the inputs alone.
 */
export function runBaseline(b: BaselineBook | null, mix: Mix, events: number): Run {
  let sent = 0;
  let ms = 0;
  const start = performance.now();
  for (let done = 0; done < events; done += BATCH_EVENTS) {
    const ops = mix.next(Math.min(BATCH_EVENTS, events - done));
    const limits = ops.map((op) => {
      if (op.k === "request") return { id: op.r.id, side: Side.BUY, size: 1, price: Number(op.r.maxPrice) };
      if (op.k === "quote")
        return { id: op.q.id, side: Side.SELL, size: 1_000_000, price: Number(op.q.price) };
      return undefined;
    });
    if (b === null) {
      sent += ops.filter((op) => op.k !== "settle").length;
      continue;
    }
    const { book, askOf } = b;
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
  const end = performance.now();
  return { sent, clockMs: ms, windowMs: end - start, start, end };
}

/** Cancels per second of `depth` waiting requests at one price, cancelled in random order. */
export function cancelRate(
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

/** Timed runs of the mix and of cancels, on the engine and on nodejs-order-book. */
import { OrderBook as Baseline, Side } from "nodejs-order-book";
import { MatchingEngine } from "../../../protocol/matching/engine.js";
import type { QuoteInput } from "../../../protocol/matching/types.js";
import { BATCH_EVENTS, MARKET, type Mix, NOW, REQUESTER, requestInput } from "./workload.js";

/** Clocked spans of a pass, [start, end] in performance.now() time (see GcClock). */
export type Spans = [number, number][];

/**
 * Events per second of the engine over `events` events of the mix, timing only the engine; the
 * clocked spans go to `spans`.
 */
export function runEngine(e: MatchingEngine, mix: Mix, events: number, spans: Spans = []): number {
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
    const t1 = performance.now();
    ms += t1 - t0;
    spans.push([t0, t1]);
  }
  return events / (ms / 1000);
}

/**
 * The nearest equivalent on nodejs-order-book: quotes are resting asks, requests are bids (size 1;
 * a matching one crosses the best ask), cancels cancel bids, a quote refresh cancels the prover's
 * ask and places a new one. It has no capacity, collateral, proving time or proofs: settles are
 * not sent to it, and it is timed over the events it does get.
 */
export function runBaseline(
  quotes: readonly QuoteInput[],
  mix: Mix,
  events: number,
  spans: Spans = [],
): number {
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
    const t1 = performance.now();
    ms += t1 - t0;
    spans.push([t0, t1]);
  }
  return sent / (ms / 1000);
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

/**
 * Bytes per order, measured between full collections: the JS heap and the typed arrays' buffers
 * (which live outside the heap: the engine keeps its id tables and its index in them, and a book
 * that moved records there must not look smaller for it).
 */
import v8 from "node:v8";
import vm from "node:vm";
import { OrderBook as Baseline, Side } from "nodejs-order-book";
import { MatchingEngine } from "../../../protocol/matching/engine.js";
import { MARKET, NOW, quoteInput, requestInput, rng } from "./workload.js";

/** A full collection on demand (V8's gc, exposed at run time). */
export function gcFunction(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

/** JS heap in use plus array buffers' bytes. */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Memory growth (bytes) while `fill` runs, after full collections on both sides. */
function heapGrowth(gc: () => void, fill: () => unknown): { bytes: number; kept: unknown } {
  gc();
  gc();
  const h0 = used();
  const kept = fill();
  gc();
  gc();
  return { bytes: used() - h0, kept };
}

/** Bytes per order held: resting quotes (with their provers) and waiting requests, each alone. */
export function bytesPerOrder(orders: number): { quote: number; request: number; baseline: number } {
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

/**
 * `npm run bench -- matching [events]`: the matching engine core against nodejs-order-book.
 *
 * What `value` measures is the engine core (protocol/matching): events arrive already validated,
 * ids computed, as they do after gossip validation. Signature recovery (~60 us per message with
 * native secp256k1, STACK.md) and EIP-712 ids happen once per message at gossip, before the book;
 * the log layer that wraps the engine (`sequence`, `applyBatch`) is reported beside it in params,
 * and is far slower (keccak in JS). Each batch of inputs is built just before it is applied, outside
 * the clock, for both engines.
 */
import { loadavg } from "node:os";
import { logLayerRates } from "./matching/log-layer.js";
import { bytesPerOrder } from "./matching/memory.js";
import { cancelRate, runBaseline, runEngine } from "./matching/runs.js";
import { BATCH_EVENTS, loadedEngine, Mix, RESTING_QUOTES, restingQuotes, rng } from "./matching/workload.js";
import { type Suite, sig } from "./metric.js";

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
      // Other work on the machine shifts every figure here (the ratio, measured in the same run, less).
      load_avg_1m: sig(loadavg()[0]!, 2),
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

/**
 * `npm run bench -- matching [events] [passes]`: the matching engine core against nodejs-order-book.
 *
 * What `value` measures is the engine core (protocol/matching): events arrive already validated,
 * ids computed, as they do after gossip validation. Signature recovery (~60 us per message with
 * native secp256k1, STACK.md) and EIP-712 ids happen once per message at gossip, before the book;
 * the log layer that wraps the engine (`sequence`, `applyBatch`) is reported beside it in params,
 * and is far slower (keccak in JS). Each batch of inputs is built just before it is applied, outside
 * the clock, for both engines. Each pass runs in a process of its own (matching/pass.ts).
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { logLayerRates } from "./matching/log-layer.js";
import { bytesPerOrder } from "./matching/memory.js";
import type { PassResult } from "./matching/pass.js";
import { cancelRate } from "./matching/runs.js";
import { BATCH_EVENTS, RESTING_QUOTES, rng } from "./matching/workload.js";
import { countArg, median, type Suite, sig } from "./metric.js";

/** Measured passes per engine: the host is shared, so one pass can land in another tenant's burst. */
const PASSES = 5;
const PASS = fileURLToPath(new URL("./matching/pass.ts", import.meta.url));

/** Run one pass in a process of its own (see matching/pass.ts). */
function runPass(kind: "engine" | "baseline", events: number): PassResult {
  const child = spawnSync(process.execPath, [...process.execArgv, PASS, kind, String(events)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) {
    throw new Error(`matching bench: the ${kind} pass failed (exit ${child.status}): ${child.stderr.trim()}`);
  }
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as PassResult;
}

const suite: Suite = async (emit, args) => {
  const events = countArg(args, 0, "events", 1_000_000);
  const passes = countArg(args, 1, "passes", PASSES);
  const rand = rng(42);
  // Each pass in a process of its own, warmed up there (see matching/pass.ts). Passes alternate
  // between the engines, so a slow spell of the machine slows both.
  const ours: PassResult[] = [];
  const theirs: PassResult[] = [];
  for (let p = 0; p < passes; p++) {
    ours.push(runPass("engine", events));
    theirs.push(runPass("baseline", events));
  }
  const oursPasses = ours.map((r) => r.eventsPerS);
  const baselinePasses = theirs.map((r) => r.eventsPerS);
  const value = median(oursPasses);
  const baseline = median(baselinePasses);
  const log = logLayerRates(20_000);
  emit({
    name: "matching.events_per_s",
    value: sig(value),
    unit: "events/s",
    baseline: sig(baseline),
    ratio: sig(value / baseline, 3),
    params: {
      events,
      passes,
      statistic: "median of the passes, each in a process of its own, warmed up, on a freshly loaded engine",
      passes_events_per_s: oursPasses.map((x) => sig(x, 3)),
      passes_baseline_events_per_s: baselinePasses.map((x) => sig(x, 3)),
      // Collections inside each pass's clock (see GcClock): a full one that lands there slows it.
      passes_gc_ms: ours.map((r) => Math.round(r.gcMs)),
      passes_full_gcs: ours.map((r) => r.fullGcs),
      passes_baseline_gc_ms: theirs.map((r) => Math.round(r.gcMs)),
      resting_quotes: RESTING_QUOTES,
      mix: ours[0]!.mix,
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

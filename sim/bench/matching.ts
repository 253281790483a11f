/**
 * `npm run bench -- matching [events] [passes]`: the matching engine core against nodejs-order-book.
 *
 * What `value` measures is the engine core (protocol/matching): events arrive already validated,
 * ids computed, as they do after gossip validation. Signature recovery (~60 us per message with
 * native secp256k1, STACK.md) and EIP-712 ids happen once per message at gossip, before the book;
 * the log layer that wraps the engine (`sequence`, `applyBatch`) is reported beside it in params,
 * and is far slower (keccak in JS). Each batch of inputs is built just before it is applied, for both
 * engines; a pass's time is its whole run minus building the inputs alone, in a process of its own
 * (matching/pass.ts says why).
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { SEMI_SPACE_FLAG } from "../../node/young-generation.js";
import { logLayerRates } from "./matching/log-layer.js";
import { bytesPerOrder } from "./matching/memory.js";
import type { PassResult } from "./matching/pass.js";
import { cancelRate } from "./matching/runs.js";
import { BATCH_EVENTS, RESTING_QUOTES, rng } from "./matching/workload.js";
import { countArg, median, type Suite, sig } from "./metric.js";

/** Measured passes per engine: the host is shared, so one pass can land in another tenant's burst. */
const PASSES = 5;
const PASS = fileURLToPath(new URL("./matching/pass.ts", import.meta.url));

/** A pass that runs longer than this has hung (a 1M-event pass takes ~10 s). */
const PASS_TIMEOUT_MS = 10 * 60_000;

/** Run one pass in a process of its own (see matching/pass.ts). */
function runPass(kind: "engine" | "baseline", events: number): PassResult {
  // With the young generation a matcher node runs with (node/young-generation.ts), for both engines.
  const args = [...process.execArgv, SEMI_SPACE_FLAG, PASS, kind, String(events)];
  const child = spawnSync(process.execPath, args, {
    encoding: "utf8",
    maxBuffer: 16 << 20,
    timeout: PASS_TIMEOUT_MS,
  });
  const line = child.stdout?.split("\n").find((l) => l.startsWith('{"eventsPerS"'));
  if (child.status !== 0 || line === undefined) {
    const how = child.error
      ? child.error.message
      : child.signal
        ? `signal ${child.signal}`
        : `exit ${child.status}`;
    throw new Error(`matching bench: the ${kind} pass failed (${how}): ${child.stderr?.trim() ?? ""}`);
  }
  return JSON.parse(line) as PassResult;
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
  const rates = (rs: PassResult[], of: (r: PassResult) => number) => rs.map((r) => sig(of(r), 3));
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
      statistic:
        "median of the passes, each in a process of its own, warmed up, on a freshly loaded engine; a pass times the run over the mix minus building its inputs alone",
      passes_events_per_s: rates(ours, (r) => r.eventsPerS),
      passes_baseline_events_per_s: rates(theirs, (r) => r.eventsPerS),
      // The engine's calls alone: leaves out the collections that the engine's records cost while
      // the next inputs are built (see matching/pass.ts).
      clocked_events_per_s: sig(median(ours.map((r) => r.clockedEventsPerS))),
      clocked_baseline_events_per_s: sig(median(theirs.map((r) => r.clockedEventsPerS))),
      passes_clocked_events_per_s: rates(ours, (r) => r.clockedEventsPerS),
      // Collection pauses during each pass's run (see GcClock): a full one that comes in it slows it.
      passes_gc_ms: ours.map((r) => Math.round(r.gcMs)),
      passes_full_gcs: ours.map((r) => r.fullGcs),
      passes_baseline_gc_ms: theirs.map((r) => Math.round(r.gcMs)),
      passes_baseline_full_gcs: theirs.map((r) => r.fullGcs),
      resting_quotes: RESTING_QUOTES,
      mix: ours[0]!.mix,
      batch_events: BATCH_EVENTS,
      // Other work on the machine shifts every figure here (the ratio, measured in the same run, less).
      load_avg_1m: sig(loadavg()[0]!, 2),
      log_layer_events_per_s: { leader_sequence: sig(log.leader), follower_apply_batch: sig(log.follower) },
      measured: "engine core: events validated (signatures, ids) before entering, as after gossip validation",
      pass_node_flags: [SEMI_SPACE_FLAG],
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

/**
 * One measured pass of the matching bench, in a process of its own:
 * `node --import tsx sim/bench/matching/pass.ts <engine|baseline> <events>` prints one JSON line
 * (`PassResult`).
 *
 * What a pass times: the whole run over the mix, building each batch of inputs included, minus the
 * time the same loop takes to build the inputs alone. Timing the engine's calls alone (the clock)
 * left out most of what the engine costs the collector: a scavenge copies the records the engine
 * keeps, and scavenges come mostly while the next inputs are built, outside the clock (the engine's
 * calls were ~45 % of its run, the baseline's ~85 %). The clocked rate is reported beside it.
 *
 * Why a process per pass: passes one after another in one process inherited the heap of the
 * passes before them (dead engines, the baseline's churn); collections in the clock took 50-100 ms
 * of a run's first two passes and up to 420 ms in later ones, which ran 15-40 % slower. Here each
 * pass, ours or the baseline's, warms up (JIT) on an engine of its own, times the inputs alone,
 * and is measured on a freshly loaded engine after full collections: its heap holds that engine,
 * the resting quotes and the ids made so far. A matcher's heap holds more (the log, the network,
 * caches), so its full collections cost more than these.
 */

import { countArg } from "../metric.js";
import { GcClock } from "./gc-clock.js";
import { gcFunction } from "./memory.js";
import { loadedBaseline, type Run, runBaseline, runEngine } from "./runs.js";
import { loadedEngine, Mix, restingQuotes, rng } from "./workload.js";

/** What a pass reports. */
export interface PassResult {
  /** Events per second over the run, building the inputs excluded (see above). */
  eventsPerS: number;
  /** Events per second of the engine's calls alone. */
  clockedEventsPerS: number;
  /** Collection pauses during the run, ms, and the full collections among them. */
  gcMs: number;
  fullGcs: number;
  /** The mix's events by kind. */
  mix: Record<string, number>;
}

/** Warm-up events, on an engine of their own, before the measured pass. */
const WARM_UP = 100_000;

/** The pass of one engine: `load` gives it loaded with the resting quotes, `run` runs the mix on it. */
async function pass<E>(
  load: () => E,
  run: (e: E | null, mix: Mix, events: number) => Run,
  events: number,
): Promise<PassResult> {
  const gc = gcFunction();
  run(load(), new Mix(1), WARM_UP);
  gc();
  const inputs = run(null, new Mix(7), events);
  const loaded = load();
  gc();
  gc();
  const clock = new GcClock();
  const mix = new Mix(7);
  const measured = run(loaded, mix, events);
  const g = await clock.between(measured.start, measured.end);
  clock.close();
  return {
    eventsPerS: measured.sent / ((measured.windowMs - inputs.windowMs) / 1000),
    clockedEventsPerS: measured.sent / (measured.clockMs / 1000),
    gcMs: g.ms,
    fullGcs: g.full,
    mix: mix.counts,
  };
}

const [kind, events] = process.argv.slice(2);
try {
  if (kind !== "engine" && kind !== "baseline")
    throw new RangeError(`kind must be engine or baseline, got "${kind}"`);
  const n = countArg([events ?? ""], 0, "events", 0);
  const quotes = restingQuotes(rng(42));
  const result =
    kind === "engine"
      ? await pass(() => loadedEngine(quotes), runEngine, n)
      : await pass(() => loadedBaseline(quotes), runBaseline, n);
  console.log(JSON.stringify(result));
} catch (err) {
  if (!(err instanceof RangeError)) throw err;
  console.error(`usage: pass.ts <engine|baseline> <events>: ${err.message}`);
  process.exit(2);
}

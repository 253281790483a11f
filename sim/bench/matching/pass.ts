/**
 * One measured pass of the matching bench, in a process of its own:
 * `node --import tsx sim/bench/matching/pass.ts <engine|baseline> <events>` prints one JSON line
 * (`PassResult`).
 *
 * Why a process per pass: a matcher's process holds one engine. Passes run one after another in
 * one process inherited the heap of the passes before them (dead engines, and the baseline's
 * churn): collections inside the clock took 50-100 ms of a pass in the first two passes of a run
 * and up to 420 ms in the later ones, which ran 15-40 % slower. Here each pass, ours or the
 * baseline's, warms up (JIT) on an engine of its own and is then measured on a freshly loaded one,
 * in a heap that holds nothing else.
 */
import { GcClock } from "./gc-clock.js";
import { runBaseline, runEngine, type Spans } from "./runs.js";
import { loadedEngine, Mix, restingQuotes, rng } from "./workload.js";

/** What a pass reports. */
export interface PassResult {
  eventsPerS: number;
  /** Collection pauses inside the clock, ms, and the full collections among them (see GcClock). */
  gcMs: number;
  fullGcs: number;
  /** The mix's events by kind. */
  mix: Record<string, number>;
}

/** Warm-up events, on an engine of their own, before the measured pass. */
const WARM_UP = 100_000;

async function pass(kind: string, events: number): Promise<PassResult> {
  const quotes = restingQuotes(rng(42));
  const gc = new GcClock();
  const spans: Spans = [];
  const mix = new Mix(7);
  let eventsPerS: number;
  if (kind === "engine") {
    runEngine(loadedEngine(quotes), new Mix(1), WARM_UP);
    const engine = loadedEngine(quotes);
    await gc.inSpans([]);
    eventsPerS = runEngine(engine, mix, events, spans);
  } else {
    runBaseline(quotes, new Mix(1), WARM_UP);
    await gc.inSpans([]);
    eventsPerS = runBaseline(quotes, mix, events, spans);
  }
  const g = await gc.inSpans(spans);
  gc.close();
  return { eventsPerS, gcMs: g.ms, fullGcs: g.major, mix: mix.counts };
}

const [kind, events] = process.argv.slice(2);
if ((kind !== "engine" && kind !== "baseline") || !Number.isSafeInteger(Number(events))) {
  console.error("usage: pass.ts <engine|baseline> <events>");
  process.exit(2);
}
console.log(JSON.stringify(await pass(kind, Number(events))));

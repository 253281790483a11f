/**
 * Garbage collection pauses during a measured run: what part of a pass went to collecting, and
 * whether a full (mark-compact) collection came in it, which is most of what spreads the passes.
 */
import { type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";

/** V8's kind of a full collection's `gc` performance entry. */
const MAJOR = 4;

export interface RunGc {
  /** Milliseconds of pauses that started in the run (young and full; not incremental marking steps). */
  ms: number;
  /** Full collections that started in the run. */
  full: number;
}

/** Records collection pauses while it is open. */
export class GcClock {
  private readonly entries: { start: number; ms: number; kind: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.entries.push(entryOf(e));
  });

  constructor() {
    this.observer.observe({ entryTypes: ["gc"] });
  }

  /**
   * Pauses that started between `start` and `end` (performance.now() time) among those recorded
   * since the last call. Node makes a collection's entry on its next turn of the event loop, and
   * hands it to the observer later still: this waits one turn, then takes what the observer has
   * not been handed yet.
   */
  async between(start: number, end: number): Promise<RunGc> {
    await new Promise((resolve) => setImmediate(resolve));
    for (const e of this.observer.takeRecords()) this.entries.push(entryOf(e));
    const out: RunGc = { ms: 0, full: 0 };
    for (const e of this.entries) {
      if (e.start < start || e.start > end) continue;
      out.ms += e.ms;
      if (e.kind === MAJOR) out.full++;
    }
    this.entries.length = 0;
    return out;
  }

  close(): void {
    this.observer.disconnect();
  }
}

function entryOf(e: PerformanceEntry): { start: number; ms: number; kind: number } {
  const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
  return { start: e.startTime, ms: e.duration, kind };
}

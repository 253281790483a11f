/**
 * Garbage collection inside the clocked spans of a pass. A full (mark-compact) collection that lands
 * in a pass costs it ~10-25 %: whether one lands there is what spreads the passes of one run (a
 * pass without one runs ~1.3x the one with two), so each pass reports how many it had.
 */
import { type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";

/** V8's kind of a full collection's `gc` performance entry. */
const MAJOR = 4;

export interface PassGc {
  /** Milliseconds of collection pauses inside the clocked spans (young and full). */
  ms: number;
  /** Full collections that started inside the clocked spans. */
  major: number;
}

/** Records collections while it is open; `inSpans` attributes them to a pass's clocked spans. */
export class GcClock {
  private readonly entries: { start: number; ms: number; kind: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.entries.push(entryOf(e));
  });

  constructor() {
    this.observer.observe({ entryTypes: ["gc"] });
  }

  /**
   * Collections inside `spans` ([start, end] in performance.now() time) since the last call. Node
   * makes a collection's entry on its next turn of the event loop, and hands it to the observer
   * later still: this waits one turn, then takes what the observer has not been handed yet.
   */
  async inSpans(spans: readonly (readonly [number, number])[]): Promise<PassGc> {
    await new Promise((resolve) => setImmediate(resolve));
    for (const e of this.observer.takeRecords()) this.entries.push(entryOf(e));
    const out: PassGc = { ms: 0, major: 0 };
    let s = 0;
    for (const e of this.entries.sort((a, b) => a.start - b.start)) {
      while (s < spans.length && spans[s]![1] < e.start) s++;
      if (s === spans.length) break;
      if (e.start < spans[s]![0]) continue;
      out.ms += e.ms;
      if (e.kind === MAJOR) out.major++;
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

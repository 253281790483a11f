/** The benchmark output convention: one JSON object per metric, one per line. */
import { cpus } from "node:os";

export interface Metric {
  /** `<suite>.<metric>`: a stable name that tools read. */
  name: string;
  value: number;
  unit: string;
  /** The same figure for the reference implementation, measured in the same run. */
  baseline?: number;
  /** value / baseline. */
  ratio?: number;
  params?: Record<string, unknown>;
}

/** A suite measures and emits its metrics; `args` are the command-line words after the suite name. */
export type Suite = (emit: (m: Metric) => void, args: string[]) => Promise<void>;

/** What machine a figure was measured on: figures mean nothing without it. */
export function machine(): Record<string, unknown> {
  const c = cpus();
  return { cpu: c[0]?.model ?? "unknown", cores: c.length, node: process.version };
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Round to `digits` significant figures, so output is not cluttered with noise digits. */
export function sig(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}

/** A suite's positional count argument: a positive integer, or `fallback` when absent. */
export function countArg(args: string[], at: number, name: string, fallback: number): number {
  const word = args[at];
  if (word === undefined) return fallback;
  const n = Number(word);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new RangeError(`${name} must be a positive integer, got "${word}"`);
  return n;
}

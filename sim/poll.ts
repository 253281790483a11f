/** Poll a condition with a deadline: how the sim waits for the network (never a fixed sleep). */
import { KalypsoError } from "../protocol/index.js";

/** Coded errors of the simulator. */
export class SimError extends KalypsoError<
  | "SIM_TIMEOUT"
  | "SIM_UNKNOWN_SCENARIO"
  | "SIM_TOO_FEW_NODES"
  | "SIM_NO_SPARE_KEY"
  /** Options that contradict each other or are out of range (which, and why, in the message). */
  | "SIM_BAD_OPTIONS"
  /** A node process sent something that is not a NodeReport, or a reply of the wrong shape. */
  | "SIM_CHILD_PROTOCOL"
  /** A node process failed to start, exited, or failed a call. */
  | "SIM_CHILD_FAILED"
> {}

/** Resolve with the probe's first value that is not undefined, null or false; SIM_TIMEOUT after `timeoutMs`. */
export async function pollUntil<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline)
      throw new SimError("SIM_TIMEOUT", `sim: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

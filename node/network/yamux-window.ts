/**
 * Yamux window updates at half a window, as go-yamux and rust-yamux send them.
 *
 * @chainsafe/libp2p-yamux 8.0.1 answers every data frame it receives with a window-update frame:
 * on a gossip stream that is one extra encrypted write per message received, each way, and it was
 * the largest single cost of a simulated network under load (a third of all socket writes). The
 * yamux spec leaves the timing to the receiver; the reference implementations send an update once
 * the unannounced credit reaches half the window. This module replaces the stream's
 * `sendWindowUpdate` with that rule, keeping everything else the original does (flags on a new
 * stream always go out at once, a paused stream sends nothing, the window grows while the sender
 * keeps up within 4 round trips). The replacement is installed only on the version it was written
 * against; on any other, the library's own is kept and `installed` says so.
 */
import { readFileSync } from "node:fs";
import { YamuxStream } from "@chainsafe/libp2p-yamux/stream";

/** The version whose stream internals this was written and tested against. */
export const YAMUX_PATCHED_VERSION = "8.0.1";

/** The stream's internals `sendWindowUpdate` reads and writes (see dist/src/stream.js). */
interface StreamInternals {
  state: number;
  recvWindow: number;
  recvWindowCapacity: number;
  maxStreamWindowSize: number;
  epochStart: number;
  streamId: number;
  getRTT(): number;
  getSendFlags(): number;
  sendFrame(header: { type: number; flag: number; streamID: number; length: number }): boolean;
}

// Values of the library's StreamState.Paused and FrameType.WindowUpdate (dist/src/*.js).
const PAUSED = 5;
const WINDOW_UPDATE = 1;

export function sendWindowUpdateAtHalf(this: StreamInternals): void {
  if (this.state === PAUSED) {
    this.epochStart = Date.now();
    return;
  }
  const flags = this.getSendFlags();
  const now = Date.now();
  const delta = this.recvWindow - this.recvWindowCapacity;
  // Credit to hand back is under half a window: the sender still has at least half; wait.
  if (flags === 0 && delta < this.recvWindow / 2) return;
  const rtt = this.getRTT();
  if (flags === 0 && rtt > -1 && now - this.epochStart <= rtt * 4) {
    this.recvWindow = Math.min(this.recvWindow * 2, this.maxStreamWindowSize);
  }
  const grant = this.recvWindow - this.recvWindowCapacity;
  if (grant === 0 && flags === 0) return;
  this.recvWindowCapacity = this.recvWindow;
  this.epochStart = now;
  this.sendFrame({ type: WINDOW_UPDATE, flag: flags, streamID: this.streamId, length: grant });
}

let result: { installed: boolean; version: string } | undefined;

/** Install the half-window rule once per process; returns whether it is in place. */
export function installYamuxWindowRule(): { installed: boolean; version: string } {
  if (result) return result;
  const version = yamuxVersion();
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate: unknown };
  const installed = version === YAMUX_PATCHED_VERSION && typeof proto.sendWindowUpdate === "function";
  if (installed) proto.sendWindowUpdate = sendWindowUpdateAtHalf;
  result = { installed, version };
  return result;
}

/** The installed library's version, from its package.json (which its exports map does not expose). */
function yamuxVersion(): string {
  const entry = new URL(import.meta.resolve("@chainsafe/libp2p-yamux"));
  // dist/src/index.js -> the package root.
  const pkg = new URL("../../package.json", entry);
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
}

/**
 * What a sim run saw from the requesters' side, in wall time: each request's steps, and samples
 * of the pending requests and the leader every few hundred ms, for the report's charts.
 */
import type { RequestProgressEvent } from "../node/roles/requester.js";
import type { SimNetwork } from "./network.js";

/** One request as the sim saw it; times are wall-clock ms. */
export interface SimTrace {
  requestId: string;
  publishedAt: number;
  /** When its prover first held the leader-signed batch assigning it (gossip, before anchoring). */
  heldAt?: number;
  /** When the requester saw the assignment confirmed on-chain. */
  assignedAt?: number;
  verifiedAt?: number;
  prover?: string;
  outcome?: "settled" | "slashed" | "unassigned";
}

/** A sample: wall ms since the run began, requests published but not yet ended, the leader. */
export interface SimSample {
  t: number;
  pending: number;
  leader: string | null;
}

/** A change of a matcher's role: who, to what, when (ms since the run began). */
export interface LeaderChange {
  t: number;
  matcher: string;
  role: string;
  term: number;
}

export class SimRecorder {
  readonly startedAt = Date.now();
  readonly traces = new Map<string, SimTrace>();
  readonly samples: SimSample[] = [];
  readonly roles: LeaderChange[] = [];
  /** Peak resident memory of the processes running the nodes (SimNetwork.rssBytes), bytes. */
  peakRss = 0;
  private timer: NodeJS.Timeout | undefined;
  private sample: () => void = () => {};
  /** The memory reading in flight: node processes answer over IPC. */
  private measuring: Promise<void> = Promise.resolve();
  private reading = false;

  constructor(private readonly net: SimNetwork) {
    for (const m of net.matchers) {
      // The roles taken before the recorder existed, then every change.
      this.roles.push({ t: 0, matcher: m.name, ...m.role });
      m.onRole((r) =>
        this.roles.push({ t: Date.now() - this.startedAt, matcher: m.name, role: r.role, term: r.term }),
      );
    }
    for (const p of net.provers) {
      p.onHeld((requestId, atMs) => {
        this.trace(requestId).heldAt ??= atMs;
      });
    }
    for (const r of net.requesters) {
      for (const kind of ["published", "assigned", "verified", "slashed", "unassigned"]) {
        r.requester.addEventListener(kind, (ev) => this.onProgress(ev as RequestProgressEvent));
      }
    }
  }

  private onProgress(ev: RequestProgressEvent): void {
    const p = ev.progress;
    const t = this.trace(p.requestId);
    if (p.kind === "published") t.publishedAt = Date.now();
    if (p.kind === "assigned") {
      t.assignedAt = Date.now();
      t.prover = p.prover;
    }
    if (p.kind === "verified") {
      t.verifiedAt = Date.now();
      t.outcome = "settled";
    }
    if (p.kind === "slashed") t.outcome = "slashed";
    if (p.kind === "unassigned") t.outcome = "unassigned";
  }

  private trace(requestId: string): SimTrace {
    let t = this.traces.get(requestId);
    if (!t) {
      t = { requestId, publishedAt: Date.now() };
      this.traces.set(requestId, t);
    }
    return t;
  }

  /** The leader now, as `matcher-i`, or null in a gap (a crashed matcher leads no more). */
  leader(): string | null {
    return this.net.matchers.find((m) => !m.crashed && m.role.role === "leader")?.name ?? null;
  }

  /** Sample every `intervalMs` until stopped. */
  start(intervalMs = 200): void {
    this.sample = () => {
      // One reading at a time: a slow one is not queued behind.
      if (!this.reading) {
        this.reading = true;
        this.measuring = this.net
          .rssBytes()
          .then((b) => {
            this.peakRss = Math.max(this.peakRss, b);
          })
          .catch(() => undefined)
          .finally(() => {
            this.reading = false;
          });
      }
      let pending = 0;
      for (const t of this.traces.values()) if (!t.outcome) pending++;
      this.samples.push({ t: Date.now() - this.startedAt, pending, leader: this.leader() });
    };
    this.sample();
    this.timer = setInterval(this.sample, intervalMs);
  }

  /** Stop sampling, after a last sample so the series ends where the run did. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.sample();
    await this.measuring;
  }
}

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
  /** Peak resident memory of this process (every in-process node), bytes. */
  peakRss = 0;
  private timer: NodeJS.Timeout | undefined;
  private sample: () => void = () => {};

  constructor(private readonly net: SimNetwork) {
    for (const [i, m] of net.matchers.entries()) {
      // The roles taken before the recorder existed, then every change.
      this.roles.push({ t: 0, matcher: `matcher-${i}`, ...m.matcher.role });
      m.matcher.on("role", (r) =>
        this.roles.push({
          t: Date.now() - this.startedAt,
          matcher: `matcher-${i}`,
          role: r.role,
          term: r.term,
        }),
      );
    }
    for (const p of net.provers) {
      p.node.gossip.onMessage((d) => {
        if (d.message.type !== "batch") return;
        for (const a of d.message.body.assignments)
          if (a.prover === p.address.toLowerCase()) this.trace(a.requestId).heldAt ??= Date.now();
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
    const i = this.net.matchers.findIndex((m) => !m.crashed && m.matcher.role.role === "leader");
    return i < 0 ? null : `matcher-${i}`;
  }

  /** Sample every `intervalMs` until stopped. */
  start(intervalMs = 200): void {
    this.sample = () => {
      this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss);
      let pending = 0;
      for (const t of this.traces.values()) if (!t.outcome) pending++;
      this.samples.push({ t: Date.now() - this.startedAt, pending, leader: this.leader() });
    };
    this.sample();
    this.timer = setInterval(this.sample, intervalMs);
  }

  /** Stop sampling, after a last sample so the series ends where the run did. */
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}

/** The matcher's Prometheus metrics, registered in the node's registry (optional component). */
import { Counter, Gauge, type Registry } from "prom-client";

/** Counters and gauges a matcher updates; label values are closed sets (role, error code). */
export class MatcherMetrics {
  readonly batches: Counter<"role">;
  readonly assignmentsAnchored: Counter;
  readonly alarms: Counter<"code">;
  readonly equivocations: Counter;
  readonly term: Gauge;
  readonly assignmentsVoided: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.batches = new Counter({
      name: "kalypso_matcher_batches_total",
      help: "Batches sequenced (leader) or applied (follower)",
      labelNames: ["role"] as const,
      registers,
    });
    this.assignmentsAnchored = new Counter({
      name: "kalypso_matcher_assignments_anchored_total",
      help: "Assignments this matcher anchored on-chain",
      registers,
    });
    this.alarms = new Counter({
      name: "kalypso_matcher_alarms_total",
      help: "Batches from the leader that broke the log, by LogError code",
      labelNames: ["code"] as const,
      registers,
    });
    this.equivocations = new Counter({
      name: "kalypso_matcher_equivocations_total",
      help: "Equivocations detected",
      registers,
    });
    this.term = new Gauge({ name: "kalypso_matcher_term", help: "Lease term last seen", registers });
    this.assignmentsVoided = new Gauge({
      name: "kalypso_matcher_assignments_voided",
      help: "Assignments the log voided (never anchored by assign-by + grace), over the batches this matcher applied",
      registers,
    });
  }
}

/**
 * report.json: the scenario's outcome as the chain tells it (counts from on-chain logs, the money
 * check) plus what the recorder timed (latencies, failover, series for the charts).
 */

import type { ChainAudit, MoneyCheck } from "./chain-audit.js";
import { percentile } from "./devnet/summary.js";
import type { SimMode } from "./network.js";
import type { SimRecorder } from "./recorder.js";
import type { ChurnResult, PartitionResult, ScenarioResult } from "./scenarios.js";

/** The report a run writes. */
export interface SimReport {
  scenario: string;
  nodes: number;
  /** in-process: every node in one process; processes: bootstrap, matchers and provers each in
   * their own, requesters (the load, where publication is timed) and attackers in the controller;
   * shards: the same, but the provers dealt over a few processes, the bootstrap peer and matchers
   * in one more. */
  mode: SimMode;
  requests: {
    submitted: number;
    assigned: number;
    settled: number;
    slashed: number;
    refunded: number;
    lost: number;
    assigned_twice: number;
  };
  money: MoneyCheck;
  /** From a request's publication to: its prover holding the leader-signed assignment (assign), the
   * assignment confirmed on-chain (anchor), the proof verified on-chain (proof). */
  latency_ms: {
    assign_p50: number | null;
    assign_p99: number | null;
    anchor_p50: number | null;
    anchor_p99: number | null;
    proof_p50: number | null;
    proof_p99: number | null;
  };
  /** Codes of requests the requesters could not make (each also counted in `lost`). */
  request_errors: string[];
  settled_per_s: number;
  /** Peak RSS of the processes running the nodes (in-process: the one; processes, shards: the node
   * processes' sum plus the controller's; anvil not included) divided by the nodes, MB. */
  rss_mb_per_node: number;
  duration_ms: number;
  failover_ms?: number;
  attackers?: string[];
  graylisted?: string[];
  spam_sent?: Record<string, number>;
  partition?: PartitionResult;
  churn?: ChurnResult;
  series: {
    /** Per request, ms from publication to the prover holding its assignment, to the assignment
     * on-chain, and to the verified proof. */
    assign_ms: number[];
    anchor_ms: number[];
    proof_ms: number[];
    /** ms since start at which each request settled. */
    settled_at_ms: number[];
    pending: { t: number; pending: number; leader: string | null }[];
    roles: { t: number; matcher: string; role: string; term: number }[];
  };
}

/** Build the report from the chain's account, the recorder and the scenario's result. */
export function buildReport(
  scenario: string,
  nodes: number,
  mode: SimMode,
  audit: ChainAudit,
  rec: SimRecorder,
  result: ScenarioResult,
): SimReport {
  const traces = [...rec.traces.values()];
  const assign = traces.filter((t) => t.heldAt).map((t) => Math.max(0, t.heldAt! - t.publishedAt));
  const anchor = traces.filter((t) => t.assignedAt).map((t) => t.assignedAt! - t.publishedAt);
  const proof = traces.filter((t) => t.verifiedAt).map((t) => t.verifiedAt! - t.publishedAt);
  const settledAt = traces.filter((t) => t.verifiedAt).map((t) => t.verifiedAt! - rec.startedAt);
  const durationMs = Date.now() - rec.startedAt;
  const unassigned = result.outcomes.filter((o) => o.code === "UNASSIGNED").length;
  const ended = audit.fulfilled.size + audit.slashed.size + unassigned + audit.refunded.size;
  const round = (x: number | null) => (x === null ? null : Math.round(x));
  return {
    scenario,
    nodes,
    mode,
    requests: {
      submitted: result.submitted,
      assigned: audit.assignments.size,
      settled: audit.fulfilled.size,
      slashed: audit.slashed.size,
      // A slashed request's requester is refunded and compensated; an unassigned one keeps its deposit.
      refunded: audit.slashed.size + audit.refunded.size + unassigned,
      lost: Math.max(0, result.submitted - ended),
      assigned_twice: [...audit.assignments.values()].filter((n) => n > 1).length,
    },
    money: audit.money,
    latency_ms: {
      assign_p50: round(percentile(assign, 50)),
      assign_p99: round(percentile(assign, 99)),
      anchor_p50: round(percentile(anchor, 50)),
      anchor_p99: round(percentile(anchor, 99)),
      proof_p50: round(percentile(proof, 50)),
      proof_p99: round(percentile(proof, 99)),
    },
    request_errors: result.errors,
    rss_mb_per_node: Number((rec.peakRss / 2 ** 20 / nodes).toFixed(1)),
    settled_per_s: settledAt.length === 0 ? 0 : Number(((settledAt.length * 1000) / durationMs).toFixed(2)),
    duration_ms: durationMs,
    ...(result.failover_ms === undefined ? {} : { failover_ms: result.failover_ms }),
    ...(result.spam
      ? { attackers: result.spam.attackers, graylisted: result.spam.graylisted, spam_sent: result.spam.sent }
      : {}),
    ...(result.partition ? { partition: result.partition } : {}),
    ...(result.churn ? { churn: result.churn } : {}),
    series: {
      assign_ms: assign,
      anchor_ms: anchor,
      proof_ms: proof,
      settled_at_ms: settledAt.sort((a, b) => a - b),
      pending: rec.samples,
      roles: rec.roles,
    },
  };
}

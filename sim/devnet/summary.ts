/**
 * What a devnet run reports: per request, when it was published, assigned and verified on-chain,
 * and the gas its lifecycle cost; summed up as the percentiles `kalypso devnet --json` prints.
 */

/** One request as the devnet saw it; times are wall-clock ms. */
export interface RequestTrace {
  requestId: string;
  publishedAt: number;
  assignedAt?: number;
  /** When its proof was verified on-chain. */
  verifiedAt?: number;
  prover?: string;
  price?: bigint;
  /** Gas of the transactions that served it (its share of batched ones). */
  gas?: number;
  /** The outcome when it did not end verified. */
  failed?: "refunded" | "slashed" | "lost";
}

export interface DevnetSummary {
  requests: number;
  verified: number;
  failed: number;
  assign_p50_ms: number | null;
  assign_p95_ms: number | null;
  proof_p50_ms: number | null;
  proof_p95_ms: number | null;
  gas_per_request: number | null;
}

/** The p-th percentile (nearest rank) of `xs`, or null when empty. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1]!;
}

export function summarize(traces: readonly RequestTrace[]): DevnetSummary {
  const assign = traces.filter((t) => t.assignedAt !== undefined).map((t) => t.assignedAt! - t.publishedAt);
  const proof = traces.filter((t) => t.verifiedAt !== undefined).map((t) => t.verifiedAt! - t.publishedAt);
  const gas = traces.filter((t) => t.gas !== undefined).map((t) => t.gas!);
  const round = (x: number | null) => (x === null ? null : Math.round(x));
  return {
    requests: traces.length,
    verified: traces.filter((t) => t.verifiedAt !== undefined).length,
    failed: traces.filter((t) => t.failed !== undefined).length,
    assign_p50_ms: round(percentile(assign, 50)),
    assign_p95_ms: round(percentile(assign, 95)),
    proof_p50_ms: round(percentile(proof, 50)),
    proof_p95_ms: round(percentile(proof, 95)),
    gas_per_request: gas.length === 0 ? null : Math.round(gas.reduce((a, b) => a + b, 0) / gas.length),
  };
}

/** One live progress line for a request, e.g. `0x12ab..  assigned  prover 0x9f..  1.2 s`. */
export function progressLine(t: RequestTrace, stage: string, now: number): string {
  const short = (h: string) => `${h.slice(0, 6)}..${h.slice(-4)}`;
  const who = t.prover ? `  prover ${short(t.prover)}` : "";
  return `${short(t.requestId)}  ${stage.padEnd(9)}${who}  ${((now - t.publishedAt) / 1000).toFixed(1)} s`;
}

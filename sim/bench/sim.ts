/**
 * `npm run bench -- sim [nodes...]` (default 10 50 100): the steady scenario in-process, SimBackend
 * provers. From a request's publication (the requester's publish returned) to:
 * sim.assign_p50/p99_ms_<n>: its prover holding the leader-signed batch that assigns it (gossip);
 * sim.anchor_p50_ms_<n>: the requester seeing the assignment confirmed on-chain.
 * Also sim.settled_per_s_<n> and sim.rss_mb_per_node_<n> (peak RSS of the process / nodes).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSim } from "../sim.js";
import type { Suite } from "./metric.js";

const suite: Suite = async (emit, args) => {
  const sizes = args.length > 0 ? args.map(Number) : [10, 50, 100];
  for (const nodes of sizes) {
    const out = await mkdtemp(join(tmpdir(), "kalypso-bench-sim-"));
    try {
      const requests = nodes * 4;
      const r = await runSim({ scenario: "steady", nodes, requests, out });
      const params = { nodes, requests, scenario: "steady", backend: "SimBackend", mode: "in-process" };
      const at = (name: string, value: number | null, unit: string) =>
        value !== null && emit({ name: `sim.${name}_${nodes}`, value, unit, params });
      at("assign_p50_ms", r.latency_ms.assign_p50, "ms");
      at("assign_p99_ms", r.latency_ms.assign_p99, "ms");
      at("anchor_p50_ms", r.latency_ms.anchor_p50, "ms");
      at("anchor_p99_ms", r.latency_ms.anchor_p99, "ms");
      at("settled_per_s", r.settled_per_s, "requests/s");
      at("rss_mb_per_node", r.rss_mb_per_node, "MB");
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
};

export default suite;

/**
 * `npm run bench -- sim [nodes...]` (default 10 50 100): the steady scenario, SimBackend provers;
 * in-process below SHARDED_FROM_NODES nodes, above that spread over one node process per core
 * (--shards: one process carrying 50+ nodes is the bottleneck, and the machine has more cores).
 * From a request's publication (the requester's publish returned) to:
 * sim.assign_p50/p99_ms_<n>: its prover holding the leader-signed batch that assigns it (gossip);
 * sim.anchor_p50_ms_<n>: the requester seeing the assignment confirmed on-chain.
 * Also sim.settled_per_s_<n> and sim.rss_mb_per_node_<n> (peak RSS of the process / nodes).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { SEMI_SPACE_FLAG } from "../../node/young-generation.js";
import { STEADY_RATE_PER_S } from "../scenarios.js";
import { runSim } from "../sim.js";
import { rerunWithSimHeap } from "../sim-heap.js";
import type { Suite } from "./metric.js";

/** Requests per size: enough for a p99, few enough that 100 nodes finish in minutes. */
const SIM_BENCH_REQUESTS = 100;

/** From this many nodes on, the bench spreads them over a node process per core. */
const SHARDED_FROM_NODES = 50;

const suite: Suite = async (emit, args) => {
  // The same suite, run again with the sim's young generation (sim-heap.ts) when this process lacks it.
  const rerun = await rerunWithSimHeap();
  if (rerun !== undefined) {
    process.exitCode = rerun;
    return;
  }
  const sizes = args.length > 0 ? args.map(Number) : [10, 50, 100];
  for (const nodes of sizes) {
    const out = await mkdtemp(join(tmpdir(), "kalypso-bench-sim-"));
    try {
      const requests = SIM_BENCH_REQUESTS;
      const shards = nodes >= SHARDED_FROM_NODES ? availableParallelism() : undefined;
      const r = await runSim({ scenario: "steady", nodes, requests, out, shards }).catch(
        (err: Error & { code?: string }) => {
          // One size failing (say, a timeout at 100 nodes) must not hide the other sizes' figures.
          console.error(`sim bench: ${nodes} nodes failed: ${err.code ?? "ERROR"}: ${err.message}`);
          process.exitCode = 1;
          return undefined;
        },
      );
      if (!r) continue;
      const params = {
        nodes,
        requests,
        rate_per_s: STEADY_RATE_PER_S,
        scenario: "steady",
        backend: "SimBackend",
        mode: r.mode,
        ...(shards === undefined ? {} : { shards }),
        node_flags: SEMI_SPACE_FLAG,
        lost: r.requests.lost,
        duration_ms: r.duration_ms,
        load_avg_1m: Number(loadavg()[0]!.toFixed(2)),
      };
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

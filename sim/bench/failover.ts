/**
 * `npm run bench -- failover [--lease S] [--runs N]`: 3 matchers on anvil with real libp2p nodes;
 * the leader is stopped and the time is measured from its death to the new leader's first batch
 * (`failover.first_batch_ms`) and to its first on-chain assignment (`failover.first_assignment_ms`).
 * Chain time follows the wall clock here (an idle miner every 250 ms), so the figures include the
 * wait for the lease to expire: at most the lease duration, at least half of it (renewal point).
 */

import { waitFor } from "../../test/helpers/wait.js";
import { MatcherCluster } from "../../test/node/roles/matcher-helpers.js";
import { median, type Suite, sig } from "./metric.js";

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

async function once(
  leaseDurationS: number,
): Promise<{ batchMs: number; assignMs: number; leaseLeftS: number }> {
  const c = await MatcherCluster.start({
    matchers: 3,
    leaseDurationS,
    idleMineIntervalMs: 250,
    init: { batchIntervalMs: 100, leaseCheckIntervalMs: 100 },
  });
  try {
    const [old, ...rest] = c.matchers;
    await waitFor(() => old!.role.role === "leader", "the first leader");
    await c.submitQuote();
    const first = await c.submitRequest();
    await waitFor(async () => (await c.status(first)) === "assigned", "the first assignment");
    const marks: { batch?: number; assign?: number } = {};
    for (const m of rest) {
      m.on("batch", (b) => {
        if (b.role === "leader") marks.batch ??= Date.now();
      });
      m.on("anchored", () => {
        marks.assign ??= Date.now();
      });
    }
    const lease = await c.sys.d.registry.lease();
    const leaseLeftS = lease.expiresAt - (await c.sys.chain.now());
    const death = Date.now();
    await old!.stop();
    await c.nodes[0]!.stop();
    await c.submitRequest();
    await waitFor(
      () => marks.assign !== undefined && marks.batch !== undefined,
      "the new leader to batch and anchor",
      {
        timeoutMs: leaseDurationS * 1000 + 20_000,
      },
    );
    // leaseLeftS: how much of the dead leader's lease remained; the rest is the failover's own cost.
    return { batchMs: marks.batch! - death, assignMs: marks.assign! - death, leaseLeftS };
  } finally {
    await c.stop();
  }
}

const suite: Suite = async (emit, args) => {
  const leaseDurationS = arg(args, "lease", 4);
  const runs = arg(args, "runs", 5);
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(leaseDurationS));
  const params = {
    leaseDurationS,
    runs,
    matchers: 3,
    batchIntervalMs: 100,
    leaseCheckIntervalMs: 100,
    chain: "anvil, idle miner 250 ms",
    samples: results,
  };
  emit({
    name: "failover.first_batch_ms",
    value: sig(median(results.map((r) => r.batchMs))),
    unit: "ms",
    params,
  });
  emit({
    name: "failover.first_assignment_ms",
    value: sig(median(results.map((r) => r.assignMs))),
    unit: "ms",
    params,
  });
};

export default suite;

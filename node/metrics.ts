/**
 * Prometheus metrics of one node. Each node has its own Registry, so several nodes in one process
 * (tests, the simulator) do not collide. Labels are closed sets only.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class NodeMetrics {
  readonly registry = new Registry();

  /** Gossip verdicts by topic kind, verdict and error code ("" on ACCEPT). */
  readonly gossipVerdicts = new Counter({
    name: "kalypso_gossip_verdicts_total",
    help: "Gossip messages validated, by topic kind, verdict and error code",
    labelNames: ["topic", "verdict", "code"] as const,
    registers: [this.registry],
  });

  readonly gossipPublished = new Counter({
    name: "kalypso_gossip_published_total",
    help: "Messages this node published, by topic kind",
    labelNames: ["topic"] as const,
    registers: [this.registry],
  });

  readonly penalisedPeers = new Gauge({
    name: "kalypso_penalised_peers",
    help: "Peers with a non-zero verdict penalty",
    registers: [this.registry],
  });

  readonly requestsByState = new Gauge({
    name: "kalypso_requests",
    help: "Requests and quotes this node holds in memory, by state (pooled requests, live quotes)",
    labelNames: ["state"] as const,
    registers: [this.registry],
  });

  readonly storeWriteQueue = new Gauge({
    name: "kalypso_store_write_queue",
    help: "Writes waiting for the node's LevelDB (received messages not yet on disk)",
    registers: [this.registry],
  });

  readonly rpcRequests = new Counter({
    name: "kalypso_rpc_requests_total",
    help: "Request/response protocol requests served, by protocol and outcome",
    labelNames: ["protocol", "outcome"] as const,
    registers: [this.registry],
  });

  readonly provingSeconds = new Histogram({
    name: "kalypso_proving_seconds",
    help: "Time to produce a proof, by market",
    labelNames: ["market"] as const,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
}

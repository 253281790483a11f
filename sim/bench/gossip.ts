/**
 * `npm run bench -- gossip`: real libp2p nodes in one process on 127.0.0.1, joined through one
 * bootstrap peer (plus DHT and the peer dialer). Measures publish-to-delivery latency to every node
 * at 10 and 30 nodes, validated messages per second per node, and memory per node.
 */
import { randomBytes } from "node:crypto";
import { identityFromKey } from "../../node/identity.js";
import { Gossip } from "../../node/network/gossip.js";
import { createHost, type Host } from "../../node/network/host.js";
import { PeerDialer } from "../../node/network/peer-dialer.js";
import { PeerPenalties } from "../../node/network/peer-penalties.js";
import { marketTopic } from "../../node/network/topics.js";
import {
  encodeMessage,
  keccak,
  makeDomain,
  privateKeyToAddress,
  requestId,
  type SignedRequest,
  signRequest,
  toHex,
  type ValidationContext,
  ZERO_HASH,
} from "../../protocol/index.js";
import { type Metric, type Suite, sig } from "./metric.js";

const TOPIC = marketTopic(1, "requests");
const domain = makeDomain(31337, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
const matcherDomain = makeDomain(31337, "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");

interface BenchNode {
  host: Host;
  gossip: Gossip;
  dialer: PeerDialer;
  received: Map<string, number>;
}

function context(): ValidationContext {
  return { now: Math.floor(Date.now() / 1000), marketDomain: domain, matcherDomain };
}

async function startNode(bootstrap: string[]): Promise<BenchNode> {
  const identity = identityFromKey(new Uint8Array(randomBytes(32)));
  const penalties = new PeerPenalties();
  const host = await createHost(
    { identity, appSpecificScore: (p) => penalties.score(p) },
    { localNetwork: true, bootstrap },
  );
  const gossip = new Gossip({ host, penalties, context });
  const received = new Map<string, number>();
  gossip.onMessage((d) => received.set(d.validated.id, performance.now()));
  const dialer = new PeerDialer({ host }, { intervalMs: 500 });
  dialer.start();
  gossip.subscribe(TOPIC);
  return { host, gossip, dialer, received };
}

function requests(count: number, salt: number): SignedRequest[] {
  const key = keccak(Uint8Array.of(salt));
  const requester = privateKeyToAddress(key);
  const assignBy = Math.floor(Date.now() / 1000) + 3600;
  return Array.from({ length: count }, (_, i) =>
    signRequest(
      domain,
      {
        marketId: 1,
        requester,
        inputsHash: toHex(keccak(Uint8Array.of(salt, i & 0xff, i >> 8))),
        secretHash: ZERO_HASH,
        maxPrice: 1000n + BigInt(i),
        assignBy,
        provingTime: 60,
        nonce: BigInt(salt * 1_000_000 + i),
      },
      key,
    ),
  );
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function network(n: number, emit: (m: Metric) => void): Promise<void> {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const boot = await startNode([]);
  const nodes = [boot];
  const bootAddr = boot.host.getMultiaddrs()[0]!.toString();
  for (let i = 1; i < n; i++) nodes.push(await startNode([bootAddr]));
  const joinStart = Date.now();
  const meshed = await until(
    () => nodes.every((x) => x.gossip.peers(TOPIC).length >= Math.min(n - 1, 4)),
    60_000,
  );
  const joinMs = Date.now() - joinStart;
  // Let meshes settle for a few gossipsub heartbeats before measuring.
  await new Promise((r) => setTimeout(r, 3000));

  const MESSAGES = 100;
  const msgs = requests(MESSAGES, n);
  const latencies: number[] = [];
  let lost = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const from = nodes[(i * 7) % n]!;
    const signed = msgs[i]!;
    const t0 = performance.now();
    await from.gossip.publish(TOPIC, { type: "request", body: signed });
    const id = requestId(domain, signed.request);
    const others = nodes.filter((x) => x !== from);
    const ok = await until(() => others.every((x) => x.received.has(id)), 5000);
    if (!ok) lost++;
    const last = Math.max(...others.map((x) => x.received.get(id) ?? Number.POSITIVE_INFINITY));
    if (Number.isFinite(last)) latencies.push(last - t0);
  }
  const params = { nodes: n, messages: MESSAGES, lost, meshed, join_ms: joinMs, transport: "tcp 127.0.0.1" };
  emit({ name: `gossip.delivery_p50_ms_${n}`, value: sig(percentile(latencies, 50), 3), unit: "ms", params });
  emit({ name: `gossip.delivery_p99_ms_${n}`, value: sig(percentile(latencies, 99), 3), unit: "ms", params });

  if (n === 30) {
    global.gc?.();
    const rss = (process.memoryUsage().rss - rssBefore) / n / 1024 / 1024;
    emit({ name: `gossip.rss_mb_per_node_${n}`, value: sig(rss, 3), unit: "MB", params: { nodes: n } });
  }
  for (const x of nodes) x.dialer.stop();
  await Promise.all(nodes.map((x) => x.host.stop()));
}

/**
 * One receiver's validation throughput through the whole stack (TCP, Noise, Yamux, gossipsub,
 * decode, dedupe, signature, rules). The sender publishes pre-encoded bytes straight to gossipsub
 * so that it costs little; both share this process, so the figure is a floor.
 */
async function throughput(emit: (m: Metric) => void): Promise<void> {
  const a = await startNode([]);
  const b = await startNode([a.host.getMultiaddrs()[0]!.toString()]);
  await until(() => a.gossip.peers(TOPIC).length > 0 && b.gossip.peers(TOPIC).length > 0, 30_000);
  const BURST = 4000;
  const burst = requests(BURST, 201).map((body) => encodeMessage({ type: "request", body }));
  const t0 = performance.now();
  for (const data of burst) await a.host.services.pubsub.publish(TOPIC, data);
  await until(() => b.received.size >= BURST, 60_000);
  const last = Math.max(...b.received.values());
  emit({
    name: "gossip.validated_per_s",
    value: sig((b.received.size / (last - t0)) * 1000, 3),
    unit: "msg/s",
    params: {
      burst: BURST,
      received: b.received.size,
      message: "ProofRequest",
      note: "sender in the same process",
    },
  });
  for (const x of [a, b]) x.dialer.stop();
  await Promise.all([a.host.stop(), b.host.stop()]);
}

const suite: Suite = async (emit) => {
  await throughput(emit);
  await network(10, emit);
  await network(30, emit);
};

export default suite;

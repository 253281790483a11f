/**
 * A matcher cluster for tests and the failover bench: the dev system on anvil with a short lease,
 * a third registered matcher, real libp2p KalypsoNodes on 127.0.0.1 with LevelDB in temp dirs, one
 * Matcher per registered enclave, and a client node that gossips requests and quotes.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Interface, type InterfaceAbi } from "ethers";
import {
  COLLATERAL,
  type DevSystem,
  enclaveKeyOf,
  MATCHER_IMAGE,
  type Role,
  signAttestation,
  startDevSystem,
} from "../../../chain/index.js";
import { KalypsoNode } from "../../../node/kalypso-node.js";
import { LOG_TOPIC } from "../../../node/network/topics.js";
import { Matcher, type MatcherInit } from "../../../node/roles/matcher.js";
import { EmulatedEnclave } from "../../../node/tee/emulated-enclave.js";
import {
  type Assignment,
  assignmentsHash,
  type BatchHeader,
  eventsHash,
  type Hex32,
  type LogEvent,
  requestId,
  type SignedBatch,
  type SignedRequest,
  signBatchHeader,
  toHex,
} from "../../../protocol/index.js";
import { waitFor } from "../../helpers/wait.js";

/** The matchers' roles in the dev system: `leader` holds term 1 from the start. */
export const MATCHER_ROLES = ["leader", "matcher2", "other"] as const satisfies readonly Role[];

/** Everything a matcher test starts, and `stop()` for all of it. */
export class MatcherCluster {
  readonly matchers: Matcher[] = [];
  readonly nodes: KalypsoNode[] = [];
  client!: KalypsoNode;
  private readonly dirs: string[] = [];

  private constructor(readonly sys: DevSystem) {}

  /** Start the chain, register the third matcher, fund requester and prover, start the nodes and matchers. */
  static async start(
    opts: {
      leaseDurationS?: number;
      matchers?: number;
      init?: MatcherInit;
      idleMineIntervalMs?: number;
    } = {},
  ): Promise<MatcherCluster> {
    // Tests move chain time by hand (idle miner off); the bench lets it follow the wall clock.
    const sys = await startDevSystem(
      { idleMineIntervalMs: opts.idleMineIntervalMs ?? 0 },
      { leaseDurationS: opts.leaseDurationS ?? 10 },
    );
    const cluster = new MatcherCluster(sys);
    try {
      const att = signAttestation(
        sys.d.registryDomain,
        sys.keys.verifierKey,
        enclaveKeyOf(sys.keys.other),
        MATCHER_IMAGE,
        await sys.chain.now(),
      );
      await (await sys.registry("other")).register(enclaveKeyOf(sys.keys.other), att, 10n ** 18n);
      await (await sys.market("requester")).deposit(10n ** 18n);
      await (await sys.market("prover")).depositCollateral(COLLATERAL * 100n);
      const n = opts.matchers ?? 3;
      for (const role of MATCHER_ROLES.slice(0, n)) {
        cluster.nodes.push(await cluster.node(role));
        cluster.matchers.push(await cluster.matcher(role, cluster.nodes.at(-1)!, opts.init));
      }
      cluster.client = await cluster.node("client");
      await waitFor(
        () => cluster.nodes.every((x) => x.gossip.peers(LOG_TOPIC).length >= n) && cluster.clientReady(),
        "the matchers and the client to see each other on gossip",
      );
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  private clientReady(): boolean {
    return (
      this.client.followedMarkets.has(this.sys.marketId) &&
      this.nodes.every((x) => x.followedMarkets.has(this.sys.marketId))
    );
  }

  /** Stop matcher `i` and its node, then start both again on the same LevelDB (a restart). */
  async restart(i: number, init?: MatcherInit): Promise<Matcher> {
    await this.matchers[i]!.stop();
    await this.nodes[i]!.stop();
    const role = MATCHER_ROLES[i]!;
    this.nodes[i] = await this.node(role, this.dirs[i]);
    this.matchers[i] = await this.matcher(role, this.nodes[i]!, init);
    return this.matchers[i]!;
  }

  private async node(name: string, reuse?: string): Promise<KalypsoNode> {
    const dir = reuse ?? (await mkdtemp(join(tmpdir(), `kalypso-matcher-${name}-`)));
    if (!reuse) this.dirs.push(dir);
    const { d, chain } = this.sys;
    const node = await KalypsoNode.start({
      dataDir: dir,
      domains: { market: d.marketDomain, matcher: d.registryDomain },
      network: {
        localNetwork: true,
        dht: false,
        bootstrap: [...this.nodes, this.client]
          .filter((x) => x !== undefined && x.host.status === "started")
          .map((x) => x.host.getMultiaddrs()[0]!.toString()),
      },
      chain: {
        provider: chain.provider,
        contracts: this.contracts(),
        confirmations: 0,
        fromBlock: d.deployBlock,
        pollIntervalMs: 50,
        autoStart: name === "client",
      },
      role: name,
    });
    return node;
  }

  /** The contracts a matcher follows: marketplace and registry. */
  contracts() {
    const { d } = this.sys;
    return [
      {
        label: "marketplace",
        address: d.marketplace.address,
        abi: d.artifacts.Marketplace!.abi as InterfaceAbi,
      },
      {
        label: "registry",
        address: d.registry.address,
        abi: d.artifacts.MatcherRegistry!.abi as InterfaceAbi,
      },
    ];
  }

  /** A Matcher for a registered role over `node` (its enclave key is the role's key). */
  async matcher(role: Role, node: KalypsoNode, init: MatcherInit = {}): Promise<Matcher> {
    const { sys } = this;
    const m = new Matcher(
      {
        node,
        registry: await sys.registry(role),
        marketplace: await sys.market(role),
        provider: sys.chain.provider,
        enclave: new EmulatedEnclave(
          { attestationKey: sys.keys.verifierKey },
          { privateKey: sys.keys[role] },
        ),
        chainFacts: {
          contracts: this.contracts(),
          confirmations: 0,
          fromBlock: sys.d.deployBlock,
          pollIntervalMs: 50,
        },
      },
      { batchIntervalMs: 100, leaseCheckIntervalMs: 100, ...init },
    );
    await m.start();
    return m;
  }

  /** A fresh signed request gossiped from the client; returns its id. */
  async submitRequest(requester: Role = "requester"): Promise<Hex32> {
    const signed: SignedRequest = this.sys.signedRequest(await this.sys.request({}, requester), requester);
    await this.client.publish({ type: "request", body: signed });
    return requestId(this.sys.d.marketDomain, signed.request);
  }

  /** A fresh quote gossiped from the client (signed by the prover). */
  async submitQuote(): Promise<void> {
    await this.client.publish({ type: "quote", body: await this.sys.quote() });
  }

  /** The on-chain status of a request. */
  async status(id: Hex32): Promise<string> {
    return (await this.sys.d.marketplace.requestState(id)).status;
  }

  /** Stop matchers, nodes, the chain, and remove the temp dirs. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.matchers.map((m) => m.stop()));
    await Promise.allSettled([...this.nodes, this.client].filter(Boolean).map((n) => n.stop()));
    await this.sys.chain.stop();
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** A batch signed with `key` for a header the test chooses (a lying or equivocating leader). */
export function craftBatch(
  sys: DevSystem,
  key: Uint8Array,
  header: Omit<BatchHeader, "eventsHash" | "assignmentsHash">,
  events: LogEvent[] = [],
  assignments: Assignment[] = [],
): SignedBatch {
  const full: BatchHeader = {
    ...header,
    eventsHash: toHex(eventsHash(events)),
    assignmentsHash: toHex(assignmentsHash(assignments)),
  };
  return { header: full, signature: signBatchHeader(sys.d.registryDomain, full, key), events, assignments };
}

/** Requests assigned on-chain since the deployment, with how many times each was. */
export async function assignedOnChain(sys: DevSystem): Promise<Map<string, number>> {
  const iface = new Interface(sys.d.artifacts.Marketplace!.abi as never);
  const logs = await sys.chain.provider.getLogs({
    address: sys.d.marketplace.address,
    fromBlock: sys.d.deployBlock,
    toBlock: "latest",
    topics: [iface.getEvent("RequestAssigned")!.topicHash],
  });
  const out = new Map<string, number>();
  for (const l of logs) {
    const id = iface.parseLog(l)!.args.requestId as string;
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

/**
 * A Kalypso peer: identity, store, libp2p host, gossip, request/response protocols and discovery,
 * composed. It follows the markets it is told of, keeps every valid request, quote and log batch it
 * sees (in memory and on disk), serves them to peers, and recovers them on restart. The roles
 * (requester, prover, matcher) are services built on top of it.
 */
import { join } from "node:path";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { multiaddr } from "@multiformats/multiaddr";
import type { Provider } from "ethers";
import type { ChainEvent } from "../chain/index.js";
import {
  type Domain,
  type Hex32,
  type LogEvent,
  type MarketRules,
  type Message,
  requestId,
  type ValidationContext,
} from "../protocol/index.js";
import { ChainWatcher, type ChainWatcherComponents, type ChainWatcherInit } from "./chain/chain-watcher.js";
import { loadIdentity, type NodeIdentity } from "./identity.js";
import { EMPTY_TIP, extendLog, type LogTip } from "./log-chain.js";
import type { Logger } from "./logger.js";
import { silentLogger } from "./logger.js";
import { NodeMetrics } from "./metrics.js";
import { Gossip, type GossipDelivery } from "./network/gossip.js";
import { connectedPeers, createHost, type Host } from "./network/host.js";
import type { NetworkOptions } from "./network/options.js";
import { PeerBlocklist } from "./network/peer-blocklist.js";
import { PeerDialer } from "./network/peer-dialer.js";
import { PeerPenalties } from "./network/peer-penalties.js";
import { RpcClient } from "./network/rpc/rpc-client.js";
import { RpcServer } from "./network/rpc/rpc-server.js";
import {
  ALL_TOPICS,
  HEARTBEAT_TOPIC,
  LOG_TOPIC,
  marketTopic,
  type TopicInterest,
  takesMarket,
} from "./network/topics.js";
import { RequestPool } from "./request-pool.js";
import { NodeStore } from "./store/node-store.js";

export interface KalypsoNodeInit {
  /** Where the node keeps its key file and its LevelDB. */
  dataDir: string;
  /** EIP-712 domains of the deployment this network uses. */
  domains: { market: Domain; matcher: Domain };
  network?: Partial<NetworkOptions>;
  /** Markets to follow from the start (more can be followed later). */
  markets?: Record<number, MarketRules>;
  /** Chain time in seconds. Default: the chain watcher's clock, else the wall clock. */
  clock?: () => number;
  /** Follow the deployment's contracts: markets are learned from MarketCreated events. */
  chain?: ChainWatcherComponentsInit;
  /** A name in status and logs. */
  role?: string;
  /** What the node subscribes to beyond the log (topicsOf its role). Default everything. */
  topics?: TopicInterest;
  logger?: Logger;
}

/** What the node needs to follow the chain. */
export interface ChainWatcherComponentsInit extends ChainWatcherInit {
  provider: Provider;
  contracts: ChainWatcherComponents["contracts"];
  /**
   * Start following the chain as the node starts. Default true. A role that registers its own
   * `node.chain.on(...)` handlers passes false and calls `node.startChain()` after, so it misses
   * no event (the cursor moves past what was handled).
   */
  autoStart?: boolean;
}

export class KalypsoNode {
  readonly pool = new RequestPool();
  private readonly markets = new Map<number, MarketRules>();
  private readonly dialer: PeerDialer;
  private readonly rpcServer: RpcServer;
  readonly rpc: RpcClient;
  private tip: LogTip = EMPTY_TIP;
  /** Set when the node follows the chain. */
  readonly chain: ChainWatcher | undefined;
  private writes: Promise<void> = Promise.resolve();
  private stopped = false;
  private chainStarted = false;
  private queuedWrites = 0;

  private constructor(
    readonly identity: NodeIdentity,
    readonly store: NodeStore,
    readonly host: Host,
    readonly gossip: Gossip,
    readonly penalties: PeerPenalties,
    readonly metrics: NodeMetrics,
    readonly blocklist: PeerBlocklist,
    private readonly init: KalypsoNodeInit,
    private readonly log: Logger,
  ) {
    this.dialer = new PeerDialer({ host, logger: log });
    if (init.chain) {
      const { provider, contracts, autoStart: _autoStart, ...watcherInit } = init.chain;
      this.chain = new ChainWatcher({ provider, contracts, store, logger: log }, watcherInit);
      this.chain.on("MarketCreated", (e) => this.onMarketCreated(e));
    }
    this.rpc = new RpcClient({ host, penalties });
    this.rpcServer = new RpcServer({
      host,
      logger: log,
      metrics: this.metrics,
      data: {
        getInput: (h) => store.getInput(h),
        batchesFrom: (seq, limit) => store.batchesFrom(seq, limit),
        status: async () => this.status(),
      },
    });
  }

  /** Open the store, restore what it holds, join the network and start serving. */
  static async start(init: KalypsoNodeInit): Promise<KalypsoNode> {
    const log = init.logger ?? silentLogger;
    const identity = await loadIdentity(join(init.dataDir, "node.key"));
    const store = await NodeStore.open(join(init.dataDir, "db"));
    try {
      const penalties = new PeerPenalties();
      const metrics = new NodeMetrics();
      const blocklist = new PeerBlocklist();
      const host = await createHost(
        { identity, appSpecificScore: (p) => penalties.score(p), blocklist },
        init.network,
      );
      const holder: { node?: KalypsoNode } = {};
      const gossip = new Gossip({
        host,
        penalties,
        logger: log,
        metrics,
        context: () => holder.node!.validationContext(),
      });
      const node = new KalypsoNode(identity, store, host, gossip, penalties, metrics, blocklist, init, log);
      holder.node = node;
      await node.restore();
      gossip.onMessage((d) => node.onGossip(d));
      gossip.subscribe(LOG_TOPIC);
      if ((init.topics ?? ALL_TOPICS).heartbeat) gossip.subscribe(HEARTBEAT_TOPIC);
      for (const [id, rules] of Object.entries(init.markets ?? {})) node.followMarket(Number(id), rules);
      await node.rpcServer.start();
      node.dialer.start();
      if (init.chain?.autoStart !== false) await node.startChain();
      log.info(
        {
          address: identity.address,
          peerId: identity.peerId.toString(),
          addrs: host.getMultiaddrs().map(String),
        },
        "node started",
      );
      return node;
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  /** Refuse `peer` from now on, and hang up on it if connected. */
  async blockPeer(peer: string): Promise<void> {
    this.blocklist.add(peer);
    await this.host.hangUp(peerIdFromString(peer)).catch((err) => this.log.debug({ err, peer }, "hang up"));
  }

  /** Connect to the peer at `address` (a multiaddr with /p2p/<id>), beyond what discovery finds. */
  async dial(address: string): Promise<void> {
    await this.host.dial(multiaddr(address));
  }

  /** Talk to `peer` again (it may be dialled, and may dial us). */
  unblockPeer(peer: string): void {
    this.blocklist.delete(peer);
  }

  /** Start following the chain (once); see `ChainWatcherComponentsInit.autoStart`. */
  async startChain(): Promise<void> {
    if (this.chainStarted || !this.chain) return;
    this.chainStarted = true;
    await this.chain.start();
  }

  /** Chain time now, in seconds. */
  now(): number {
    return this.init.clock?.() ?? this.chain?.now() ?? Math.floor(Date.now() / 1000);
  }

  validationContext(): ValidationContext {
    return {
      now: this.now(),
      marketDomain: this.init.domains.market,
      matcherDomain: this.init.domains.matcher,
      market: (id) => this.markets.get(id),
    };
  }

  /** The markets this node follows, with their rules. */
  get followedMarkets(): ReadonlyMap<number, MarketRules> {
    return this.markets;
  }

  /** Know a market's rules, and subscribe to its topics (those `KalypsoNodeInit.topics` names). */
  followMarket(marketId: number, rules: MarketRules): void {
    this.markets.set(marketId, rules);
    const topics = this.init.topics ?? ALL_TOPICS;
    if (!takesMarket(topics, marketId)) return;
    for (const kind of topics.market) this.gossip.subscribe(marketTopic(marketId, kind));
  }

  /** Publish a message on its topic and keep it as if it had arrived by gossip. */
  async publish(message: Message): Promise<{ id: Hex32; recipients: number }> {
    const sent = await this.gossip.publish(topicOf(message), message);
    this.keep(message, sent.id);
    return sent;
  }

  /** Catch up on the log from a peer, from our tip on, until the peer has no more. */
  async syncLog(peer: PeerId, options: { signal?: AbortSignal } = {}): Promise<number> {
    let added = 0;
    for (;;) {
      const batches = await this.rpc.syncLog(peer, this.tip.seq + 1, undefined, options);
      if (batches.length === 0) return added;
      for (const b of batches) {
        this.tip = extendLog(this.validationContext(), this.init.domains.matcher, this.tip, b);
        await this.store.appendBatch(b);
        this.learnRequests(b.events);
        added++;
      }
    }
  }

  /** The sequence number of the last batch this node holds (-1 for none). */
  get logSeq(): number {
    return this.tip.seq;
  }

  async status(): Promise<Record<string, unknown>> {
    return {
      role: this.init.role ?? "observer",
      address: this.identity.address,
      peerId: this.identity.peerId.toString(),
      peers: connectedPeers(this.host).length,
      markets: [...this.markets.keys()],
      requests: this.pool.requests.size,
      quotes: this.pool.quotes.size,
      logSeq: this.tip.seq,
    };
  }

  /** Wait until everything received so far is on disk. */
  async flushed(): Promise<void> {
    await this.writes;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.dialer.stop();
    await this.chain?.stop();
    await this.rpcServer.stop();
    await this.host.stop();
    await this.writes;
    await this.store.close();
  }

  private async onMarketCreated(e: ChainEvent): Promise<void> {
    const marketId = Number(e.args.marketId);
    const rules: MarketRules = {
      minProvingTime: Number(e.args.minProvingTime),
      maxProvingTime: Number(e.args.maxProvingTime),
      requiresTee: Boolean(e.args.requiresTee),
    };
    await this.store.putMarket(marketId, rules);
    if (!this.markets.has(marketId)) {
      this.followMarket(marketId, rules);
      this.log.info({ marketId, ...rules }, "following a new market");
    }
  }

  private async restore(): Promise<void> {
    for await (const { marketId, rules } of this.store.listMarkets()) this.followMarket(marketId, rules);
    for await (const { id, signed } of this.store.listRequests()) this.pool.addRequest(id, signed);
    for await (const { id, signed } of this.store.listQuotes()) this.pool.addQuote(id, signed);
    this.pool.expire(this.now());
    // Re-walk the stored log so the tip's hash is checked, not trusted.
    for await (const b of this.store.batchesFrom(0)) {
      this.tip = extendLog(this.validationContext(), this.init.domains.matcher, this.tip, b);
    }
  }

  private onGossip(d: GossipDelivery): void {
    if (d.message.type === "batch") {
      const batch = d.message.body;
      if (batch.header.seq > this.tip.seq + 1) {
        // A gap: fetch what we missed from the peer that has it.
        this.enqueue(async () => {
          await this.syncLog(
            connectedPeers(this.host).find((p) => p.toString() === d.from) ?? connectedPeers(this.host)[0]!,
          );
        });
        return;
      }
    }
    this.keep(d.message, d.validated.id);
  }

  private keep(message: Message, id?: Hex32): void {
    switch (message.type) {
      case "request": {
        const rid = id ?? (message.body.request.inputsHash as Hex32);
        if (this.pool.addRequest(rid, message.body))
          this.enqueue(() => this.store.putRequest(rid, message.body));
        return;
      }
      case "quote": {
        const qid = id!;
        if (qid && this.pool.addQuote(qid, message.body))
          this.enqueue(() => this.store.putQuote(qid, message.body));
        return;
      }
      case "batch": {
        const b = message.body;
        if (b.header.seq !== this.tip.seq + 1) return;
        // `id` is set where validation ran (gossip delivery, publish), and is then the header hash.
        this.tip = extendLog(this.validationContext(), this.init.domains.matcher, this.tip, b, id);
        this.enqueue(() => this.store.appendBatch(b));
        this.learnRequests(b.events);
        return;
      }
      case "proof":
        if (message.body.proof.length > 0) {
          const { requestId } = message.body.announcement;
          this.enqueue(() => this.store.putProof(requestId, message.body.proof));
        }
        return;
      default:
        return;
    }
  }

  /**
   * Pool the requests the log carries that gossip never brought (a partition, a mesh not yet
   * formed): a prover assigned one must still learn what it is (its witness is fetched by hash).
   * Only for the markets whose requests this node takes; the log's copy has no inputs attached.
   * The leader checked each request's signature before sequencing it, and signed the batch.
   */
  private learnRequests(events: readonly LogEvent[]): void {
    const topics = this.init.topics ?? ALL_TOPICS;
    if (!topics.market.includes("requests")) return;
    for (const e of events) {
      if (e.kind !== "request") continue;
      const market = e.signed.request.marketId;
      if (!this.markets.has(market) || !takesMarket(topics, market)) continue;
      const id = requestId(this.init.domains.market, e.signed.request);
      if (this.pool.addRequest(id, e.signed)) this.enqueue(() => this.store.putRequest(id, e.signed));
    }
  }

  /** Writes are applied in arrival order; a failed write is logged, never crashes the node. */
  private enqueue(write: () => Promise<void>): void {
    this.queuedWrites++;
    this.metrics.storeWriteQueue.set(this.queuedWrites);
    this.metrics.requestsByState.set({ state: "pooled" }, this.pool.requests.size);
    this.metrics.requestsByState.set({ state: "quote" }, this.pool.quotes.size);
    this.writes = this.writes
      .then(write)
      .catch((err) => this.log.error({ err }, "store write failed"))
      .finally(() => {
        this.queuedWrites--;
        this.metrics.storeWriteQueue.set(this.queuedWrites);
      });
  }
}

function topicOf(m: Message): string {
  switch (m.type) {
    case "request":
      return marketTopic(m.body.request.marketId, "requests");
    case "cancel":
      throw new TypeError("a cancel is published on its request's market topic: use gossip.publish");
    case "quote":
      return marketTopic(m.body.quote.marketId, "quotes");
    case "proof":
      return marketTopic(m.body.announcement.marketId, "proofs");
    case "batch":
      return LOG_TOPIC;
    case "heartbeat":
      return HEARTBEAT_TOPIC;
  }
}

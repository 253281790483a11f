/**
 * The prover role (DESIGN §3, steps 2 and 7): keeps collateral on-chain, keeps a signed quote per
 * market alive on gossip, picks up the assignments anchored to it (RequestAssigned with prover ==
 * this key), fetches their inputs, proves them with the market's backend, submits the proof
 * on-chain and announces it on the market's proofs topic. The rules of the work itself (capacity,
 * deadlines, retries) live in ProverJobs.
 */
import type { PeerId } from "@libp2p/interface";
import type { ChainEvent } from "../../chain/event-reader.js";
import type { AssignedRecord, MarketplaceClient } from "../../chain/marketplace-client.js";
import { type Address, type Hex32, toHex, ZERO_HASH } from "../../protocol/bytes.js";
import { keccak } from "../../protocol/eip712.js";
import { signProofAnnouncement } from "../../protocol/sign.js";
import { privateKeyToAddress } from "../../protocol/signature.js";
import type { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import { marketTopic } from "../network/topics.js";
import type { ProofResult } from "../prover/backend.js";
import { ProverRoleError } from "./prover-errors.js";
import { type AssignmentInputs, ProverJobs, type ProverJobsInit, type ProverMarket } from "./prover-jobs.js";
import { type QuotePricing, QuotePublisher } from "./quote-publisher.js";

/** What the prover runs on. */
export interface ProverComponents {
  /** A started node; pass `chain.autoStart: false` so no assignment slips by before `start()`. */
  node: KalypsoNode;
  /** The marketplace, sending as the prover. */
  marketplace: MarketplaceClient;
  /** The prover's key: signs quotes and announcements (its address must be the signer's). */
  key: Uint8Array;
  /** The markets served, by market id. */
  markets: ReadonlyMap<number, ProverMarket>;
  logger?: Logger;
}

/** Prover options. */
export interface ProverInit extends ProverJobsInit {
  /** The offer per market id (every served market needs one). */
  pricing: ReadonlyMap<number, QuotePricing>;
  /** Free collateral to hold: topped up to this at start. Default 0n (deposit nothing). */
  minCollateral?: bigint;
  /** How often quotes are checked for refresh. Default 1,000 ms. */
  quoteCheckIntervalMs?: number;
}

/** The prover service; `jobs` emits "proven", "skipped" and "failed" JobEvents. */
export class Prover {
  readonly address: Address;
  readonly jobs: ProverJobs;
  readonly quotes: QuotePublisher;
  private readonly log: Logger;
  private started = false;
  private stopped = false;

  constructor(
    private readonly components: ProverComponents,
    private readonly init: ProverInit,
  ) {
    const { node, markets, key } = components;
    this.log = (components.logger ?? silentLogger).child({ role: "prover" });
    this.address = privateKeyToAddress(key);
    for (const id of markets.keys()) {
      if (!init.pricing.has(id)) throw new TypeError(`prover: market ${id} has a backend but no pricing`);
    }
    this.jobs = new ProverJobs(
      {
        now: () => node.now(),
        markets,
        loadInputs: (r, o) => this.loadInputs(r, o),
        submit: (r, p, o) => this.submit(r, p, o),
        logger: this.log,
        metrics: node.metrics,
      },
      init,
    );
    this.quotes = new QuotePublisher(
      {
        prover: this.address,
        key,
        marketDomain: node.validationContext().marketDomain,
        now: () => node.now(),
        publish: (quote) => node.publish({ type: "quote", body: quote }),
        subscribers: (marketId) => node.gossip.peers(marketTopic(marketId, "quotes")),
        logger: this.log,
      },
      init.pricing,
      { checkIntervalMs: init.quoteCheckIntervalMs },
    );
  }

  /** Top up collateral, watch for assignments, then publish quotes. */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { node, marketplace } = this.components;
    await this.topUpCollateral();
    options.signal?.throwIfAborted();
    for (const marketId of this.components.markets.keys()) {
      if (!node.followedMarkets.has(marketId)) {
        const m = await marketplace.market(marketId);
        node.followMarket(marketId, {
          minProvingTime: m.minProvingTime,
          maxProvingTime: m.maxProvingTime,
          requiresTee: m.requiresTee,
        });
      }
    }
    if (!node.chain) throw new TypeError("prover: the node must follow the chain (KalypsoNodeInit.chain)");
    // Registered before the watcher starts, so no assignment is read before we listen.
    node.chain.on("RequestAssigned", (e) => this.onAssigned(e));
    await node.startChain();
    options.signal?.throwIfAborted();
    await this.quotes.start();
    this.log.info({ address: this.address, markets: [...this.components.markets.keys()] }, "prover started");
  }

  /** Stop quoting and proving; backends are the caller's to stop. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.quotes.stop();
    await this.jobs.stop();
  }

  private async topUpCollateral(): Promise<void> {
    const want = this.init.minCollateral ?? 0n;
    if (want === 0n) return;
    const { free } = await this.components.marketplace.collateralOf(this.address);
    if (free >= want) return;
    await this.components.marketplace.depositCollateral(want - free);
    this.log.info({ deposited: String(want - free) }, "collateral topped up");
  }

  private async onAssigned(e: ChainEvent): Promise<void> {
    const prover = String(e.args.prover).toLowerCase();
    if (prover !== this.address || this.stopped) return;
    const record: AssignedRecord = {
      requestId: e.args.requestId as Hex32,
      requester: String(e.args.requester).toLowerCase() as Address,
      marketId: Number(e.args.marketId),
      prover: prover as Address,
      price: e.args.price as bigint,
      inputsHash: e.args.inputsHash as Hex32,
      deadline: Number(e.args.deadline),
    };
    // Events replay after a restart: only work that is still open is queued.
    const { status } = await this.components.marketplace.requestState(record.requestId);
    if (status !== "assigned") return;
    this.log.info({ requestId: record.requestId, deadline: record.deadline }, "assigned");
    this.jobs.add(record);
  }

  private async loadInputs(
    record: AssignedRecord,
    options: { signal?: AbortSignal },
  ): Promise<AssignmentInputs> {
    const { node } = this.components;
    await node.flushed();
    const publicInputs = await this.bytesByHash(record.inputsHash, options);
    const request =
      node.pool.requests.get(record.requestId) ?? (await node.store.getRequest(record.requestId));
    const secretHash = request?.request.secretHash ?? ZERO_HASH;
    const witness = secretHash === ZERO_HASH ? undefined : await this.bytesByHash(secretHash, options);
    return { publicInputs, witness };
  }

  /** Content by hash: our store first, then each connected peer in turn. */
  private async bytesByHash(hash: Hex32, options: { signal?: AbortSignal }): Promise<Uint8Array> {
    const { node } = this.components;
    const local = await node.store.getInput(hash);
    if (local) return local;
    const peers: PeerId[] = node.host.getPeers();
    for (const peer of peers) {
      try {
        const bytes = await node.rpc.fetchInputs(peer, hash, options);
        await node.store.putInput(hash, bytes);
        return bytes;
      } catch (err) {
        this.log.debug({ err, peer: peer.toString(), hash }, "inputs not at this peer");
      }
    }
    throw new ProverRoleError(
      "ASSIGNMENT_INPUTS_UNAVAILABLE",
      `inputs ${hash} are neither stored here nor at any of ${peers.length} connected peers`,
    );
  }

  private async submit(
    record: AssignedRecord,
    result: ProofResult,
    options: { signal?: AbortSignal },
  ): Promise<string> {
    options.signal?.throwIfAborted();
    const receipt = await this.components.marketplace.fulfil({
      record,
      publicInputs: result.publicInputs,
      proof: result.proof,
    });
    const { node, key } = this.components;
    const announcement = signProofAnnouncement(
      node.validationContext().marketDomain,
      {
        marketId: record.marketId,
        requestId: record.requestId,
        prover: this.address,
        proofHash: toHex(keccak(result.proof)) as Hex32,
      },
      key,
      result.proof,
    );
    // The proof is on-chain already; the announcement only tells the network sooner.
    await node
      .publish({ type: "proof", body: announcement })
      .catch((err) => this.log.warn({ err, requestId: record.requestId }, "proof announcement failed"));
    return receipt.hash;
  }
}

/**
 * The prover role (DESIGN §3, steps 2 and 7): keeps collateral on-chain, keeps a signed quote per
 * market alive on gossip, picks up the assignments anchored to it (RequestAssigned with prover ==
 * this key), fetches their inputs, proves them with the market's backend, submits the proof
 * on-chain and announces it on the market's proofs topic. The rules of the work itself (capacity,
 * deadlines, retries) live in ProverJobs.
 */

import type { PeerId } from "@libp2p/interface";
import { zeroPadValue } from "ethers";
import type { ChainEvent } from "../../chain/event-reader.js";
import type { AssignedRecord, MarketplaceClient } from "../../chain/marketplace-client.js";
import { type Address, type Hex32, toHex, ZERO_HASH } from "../../protocol/bytes.js";
import { keccak } from "../../protocol/eip712.js";
import { signProofAnnouncement } from "../../protocol/sign.js";
import { privateKeyToAddress } from "../../protocol/signature.js";
import type { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { GossipDelivery } from "../network/gossip.js";
import { connectedPeers } from "../network/host.js";
import { marketTopic } from "../network/topics.js";
import type { ProofResult } from "../prover/backend.js";
import { isSealedEnvelope } from "./private-envelope.js";
import { ProverRoleError } from "./prover-errors.js";
import {
  type AssignmentInputs,
  type JobEvent,
  ProverJobs,
  type ProverJobsInit,
  type ProverMarket,
} from "./prover-jobs.js";
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
  /**
   * Opens sealed witnesses (TEE markets, DESIGN §5) in the prover's enclave: private-key-service.ts
   * `PrivateInputsOpener`. Without it, an assignment with a sealed witness cannot be proven.
   */
  privateInputs?: {
    open(requestId: Hex32, secret: Uint8Array, options: { signal?: AbortSignal }): Promise<Uint8Array>;
  };
}

/** Prover options. */
export interface ProverInit extends ProverJobsInit {
  /** The offer per market id (every served market needs one). */
  pricing: ReadonlyMap<number, QuotePricing>;
  /** Free collateral to hold: topped up to this at start. Default 0n (deposit nothing). */
  minCollateral?: bigint;
  /** How often quotes are checked for refresh. Default 1,000 ms. */
  quoteCheckIntervalMs?: number;
  /**
   * Soft confirmation (DESIGN §3.5): start proving on an assignment in a batch on the log topic,
   * before the leader anchors it; the proof is submitted once the anchor is seen. Off unless given.
   * `isLeader` says whether a batch's signer leads `term` (the node checks only the signature).
   */
  softConfirm?: { isLeader(signer: Address, term: number): boolean | Promise<boolean> };
}

/** Resolves with the anchored record of a request once RequestAssigned for it is read. */
interface Anchor {
  promise: Promise<AssignedRecord>;
  resolve(record: AssignedRecord): void;
}

/** The prover service; `jobs` emits "proven", "skipped" and "failed" JobEvents. */
export class Prover {
  readonly address: Address;
  readonly jobs: ProverJobs;
  readonly quotes: QuotePublisher;
  private readonly log: Logger;
  private readonly anchors = new Map<Hex32, Anchor>();
  private unsubscribe: (() => void) | undefined;
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
    // An outcome ends the wait for an anchor, unless the assignment is queued again (its anchor,
    // seen while a soft-confirmed try ran): that try's submission needs the anchor as it is.
    for (const kind of ["proven", "skipped", "failed"])
      this.jobs.addEventListener(kind, (e) => {
        const o = (e as JobEvent).outcome;
        if (o.kind === "proven" || !o.again) this.anchors.delete(o.requestId as Hex32);
      });
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
    // Only assignments to us (prover is indexed: topic 2): every other prover's are not decoded.
    node.chain.on("RequestAssigned", (e) => this.onAssigned(e), {
      topic: 2,
      is: zeroPadValue(this.address, 32),
    });
    if (this.init.softConfirm) this.unsubscribe = node.gossip.onMessage((d) => void this.onGossip(d));
    await node.startChain();
    options.signal?.throwIfAborted();
    await this.quotes.start();
    this.log.info({ address: this.address, markets: [...this.components.markets.keys()] }, "prover started");
  }

  /** Stop quoting and proving; backends are the caller's to stop. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
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
    this.anchorOf(record.requestId).resolve(record);
    // Already queued when it was soft-confirmed: then this only releases its submission.
    this.jobs.add(record);
  }

  private anchorOf(requestId: Hex32): Anchor {
    let a = this.anchors.get(requestId);
    if (!a) {
      let resolve!: (r: AssignedRecord) => void;
      const promise = new Promise<AssignedRecord>((r) => {
        resolve = r;
      });
      a = { promise, resolve };
      this.anchors.set(requestId, a);
    }
    return a;
  }

  /** A batch on the log topic assigning us work: start on it before it is anchored. */
  private async onGossip(d: GossipDelivery): Promise<void> {
    if (d.message.type !== "batch" || this.stopped) return;
    const { header, assignments } = d.message.body;
    const mine = assignments.filter((a) => a.prover === this.address);
    if (mine.length === 0 || !(await this.init.softConfirm!.isLeader(d.validated.signer, header.term)))
      return;
    for (const a of mine) {
      const signed = this.components.node.pool.requests.get(a.requestId);
      if (!signed || !this.components.markets.has(signed.request.marketId)) continue;
      this.log.info({ requestId: a.requestId, term: header.term, seq: header.seq }, "soft-confirmed");
      // The anchor comes later, so the real deadline is later still: this one errs on the safe side.
      this.jobs.add({
        requestId: a.requestId,
        requester: signed.request.requester,
        marketId: signed.request.marketId,
        prover: this.address,
        price: a.price,
        inputsHash: signed.request.inputsHash,
        deadline: header.time + a.provingTime,
      });
    }
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
    const market = this.components.markets.get(record.marketId);
    if (!request && market?.description.inputs.some((i) => !i.public)) {
      throw new ProverRoleError(
        "ASSIGNMENT_INPUTS_UNAVAILABLE",
        `request ${record.requestId} never reached this node: the hash of its witness is unknown`,
      );
    }
    const secretHash = request?.request.secretHash ?? ZERO_HASH;
    let witness = secretHash === ZERO_HASH ? undefined : await this.bytesByHash(secretHash, options);
    // Sealed: decrypted in the enclave, held only in memory for the proving call.
    if (witness && isSealedEnvelope(witness))
      witness = await this.openSealed(record.requestId, witness, options);
    return { publicInputs, witness };
  }

  private openSealed(requestId: Hex32, sealed: Uint8Array, options: { signal?: AbortSignal }) {
    const opener = this.components.privateInputs;
    if (!opener) {
      const why = "its witness is sealed and this prover has no enclave to open it (privateInputs)";
      throw new ProverRoleError("ASSIGNMENT_INPUTS_UNAVAILABLE", `request ${requestId}: ${why}`);
    }
    return opener.open(requestId, sealed, options);
  }

  /** Content by hash: our store first, then each connected peer in turn. */
  private async bytesByHash(hash: Hex32, options: { signal?: AbortSignal }): Promise<Uint8Array> {
    const { node } = this.components;
    const local = await node.store.getInput(hash);
    if (local) return local;
    const peers: PeerId[] = connectedPeers(node.host);
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
    const anchored = await this.anchored(record, options);
    const receipt = await this.components.marketplace.fulfil({
      record: anchored,
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

  /** The on-chain record of an assignment, waiting for its anchor until its (provisional) deadline. */
  private anchored(record: AssignedRecord, options: { signal?: AbortSignal }): Promise<AssignedRecord> {
    const waitMs = Math.max(0, record.deadline - this.components.node.now()) * 1000;
    const { signal } = options;
    return new Promise<AssignedRecord>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        done();
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        done();
        const why = `proven, but not anchored before its deadline ${record.deadline}`;
        reject(new ProverRoleError("ASSIGNMENT_NOT_ANCHORED", `request ${record.requestId}: ${why}`));
      }, waitMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.anchorOf(record.requestId).promise.then((r) => {
        done();
        resolve(r);
      });
    });
  }
}

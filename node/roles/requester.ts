/**
 * The requester role (DESIGN §3, steps 1 and 7-8): makes sure its deposit covers the request, signs
 * it, publishes it on the market's request topic (inputs inline, or in the store to be fetched by
 * hash when large), then follows it on-chain to its end: proven (the proof read back from the
 * fulfilling transaction), slashed (the prover missed its deadline: the requester slashes it
 * itself, refunded and compensated) or unassigned (past assign-by: nothing was escrowed).
 */
import { randomBytes } from "node:crypto";
import { ChainError } from "../../chain/errors.js";
import type { ChainEvent } from "../../chain/event-reader.js";
import type { AssignedRecord, MarketplaceClient } from "../../chain/marketplace-client.js";
import { type Address, type Hex32, toHex, ZERO_HASH } from "../../protocol/bytes.js";
import { MAX_INLINE_INPUTS_BYTES, MAX_INLINE_SECRET_BYTES } from "../../protocol/constants.js";
import { keccak, requestId as requestIdOf } from "../../protocol/eip712.js";
import type { ProofRequest } from "../../protocol/messages.js";
import { signRequest } from "../../protocol/sign.js";
import { privateKeyToAddress } from "../../protocol/signature.js";
import type { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import { marketTopic } from "../network/topics.js";
import { checkSecretPolicy, isSealedEnvelope } from "./private-envelope.js";
import { RequesterError } from "./requester-errors.js";
import { proofFromTransaction } from "./requester-proof.js";
import {
  type ProofOutcome,
  type ProofRequestParams,
  type RequestProgress,
  RequestProgressEvent,
  type RequestTimings,
} from "./requester-types.js";

export * from "./requester-types.js";

/** What the requester runs on. */
export interface RequesterComponents {
  /** A started node that follows the chain. */
  node: KalypsoNode;
  /** The marketplace, sending as the requester. */
  marketplace: MarketplaceClient;
  /** The requester's key: signs requests (its address must be the signer's). */
  key: Uint8Array;
  logger?: Logger;
  /**
   * Seals a plaintext witness for a market that requires TEE provers (private-keys.ts
   * `sealToLeader`). Without it such a market accepts only witnesses the caller sealed itself.
   */
  sealWitness?: (witness: Uint8Array) => Promise<Uint8Array>;
}

/** Requester options; every field optional. */
export interface RequesterInit {
  /** Deposited on top of a shortfall, so the next requests need no deposit. Default 0n. */
  depositExtra?: bigint;
  /** Wait this long for a peer on the market's request topic before publishing. Default 10,000 ms. */
  peerWaitMs?: number;
  /** How often deadlines and assign-by times are checked against chain time. Default 250 ms. */
  tickMs?: number;
  /** Slash a prover that misses its deadline (the requester is refunded and earns the bounty). Default true. */
  slashLate?: boolean;
}

interface Pending {
  request: ProofRequest;
  record?: AssignedRecord;
  timings: RequestTimings;
  slashing?: Promise<void>;
  settled: boolean;
  resolve(outcome: ProofOutcome): void;
  reject(err: RequesterError): void;
  onProgress?: (p: RequestProgress) => void;
}

/** The requester service; emits RequestProgressEvents ("published", "assigned", "verified", "slashed", "unassigned"). */
export class Requester extends EventTarget {
  readonly address: Address;
  private readonly pending = new Map<Hex32, Pending>();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    private readonly components: RequesterComponents,
    private readonly init: RequesterInit = {},
  ) {
    super();
    this.address = privateKeyToAddress(components.key);
    this.log = (components.logger ?? silentLogger).child({ role: "requester" });
  }

  /** Listen for the request lifecycle on-chain, then start following the chain. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const chain = this.components.node.chain;
    if (!chain) throw new TypeError("requester: the node must follow the chain (KalypsoNodeInit.chain)");
    chain.on("RequestAssigned", (e) => this.onAssigned(e));
    chain.on("RequestFulfilled", (e) => this.onFulfilled(e));
    chain.on("RequestSlashed", (e) => this.onSlashed(e));
    await this.components.node.startChain();
    this.timer = setInterval(() => this.tick(), this.init.tickMs ?? 250);
    this.timer.unref();
  }

  /** Stop following; requests still waiting reject with REQUEST_STOPPED. Idempotent. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const [id, p] of this.pending) {
      await p.slashing;
      this.pending.delete(id);
      p.reject(new RequesterError("REQUEST_STOPPED", `request ${id}: the requester stopped`));
    }
  }

  /**
   * Request a proof and follow it to the end. Resolves with the outcome (PROVEN, SLASHED or
   * UNASSIGNED); rejects with a RequesterError when the request cannot be made, or on abort.
   */
  async requestProof(
    params: ProofRequestParams,
    options: { signal?: AbortSignal; onProgress?: (p: RequestProgress) => void } = {},
  ): Promise<ProofOutcome> {
    const { signal } = options;
    if (!this.started) await this.start();
    checkParams(params);
    const { node } = this.components;
    await this.ensureMarket(params.marketId);
    signal?.throwIfAborted();
    await this.ensureDeposit(params.maxPrice);
    signal?.throwIfAborted();

    const witness = await this.secretOf(params);
    const request: ProofRequest = {
      marketId: params.marketId,
      requester: this.address,
      inputsHash: toHex(keccak(params.publicInputs)) as Hex32,
      secretHash: witness.length > 0 ? (toHex(keccak(witness)) as Hex32) : ZERO_HASH,
      maxPrice: params.maxPrice,
      assignBy: node.now() + params.assignWithinS,
      provingTime: params.provingTime,
      nonce: BigInt(toHex(randomBytes(8))),
    };
    const domain = node.validationContext().marketDomain;
    const id = requestIdOf(domain, request);
    // Large inputs go by hash: peers fetch them from our store over the inputs protocol.
    const inlineInputs = params.publicInputs.length <= MAX_INLINE_INPUTS_BYTES;
    const inlineSecret = witness.length <= MAX_INLINE_SECRET_BYTES;
    if (!inlineInputs) await node.store.putInput(request.inputsHash, params.publicInputs);
    if (!inlineSecret) await node.store.putInput(request.secretHash, witness);
    const signed = signRequest(domain, request, this.components.key, {
      inputs: inlineInputs ? params.publicInputs : undefined,
      secret: inlineSecret ? witness : undefined,
    });

    const outcome = new Promise<ProofOutcome>((resolve, reject) => {
      this.pending.set(id, {
        request,
        timings: { publishedAt: Date.now() },
        settled: false,
        resolve,
        reject,
        onProgress: options.onProgress,
      });
    });
    try {
      await this.waitForPeers(params.marketId, signal);
      const sent = await node.publish({ type: "request", body: signed });
      this.log.info({ requestId: id, recipients: sent.recipients }, "request published");
      const p = this.pending.get(id)!;
      p.timings.publishedAt = Date.now();
      this.progress(p, { kind: "published", requestId: id, recipients: sent.recipients });
    } catch (err) {
      this.pending.delete(id);
      if (signal?.aborted) throw aborted(id, signal);
      throw new RequesterError("REQUEST_PUBLISH_FAILED", `request ${id}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!signal) return outcome;
    return new Promise<ProofOutcome>((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        reject(aborted(id, signal));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      outcome.then(
        (o) => {
          signal.removeEventListener("abort", onAbort);
          resolve(o);
        },
        (err) => {
          signal.removeEventListener("abort", onAbort);
          reject(err);
        },
      );
    });
  }

  /** The request's `secret`: sealed in TEE markets, and refused where its form is not allowed (DESIGN §5). */
  private async secretOf(params: ProofRequestParams): Promise<Uint8Array> {
    const requiresTee = this.components.node.followedMarkets.get(params.marketId)?.requiresTee ?? false;
    let secret = params.witness ?? new Uint8Array(0);
    const seal = this.components.sealWitness;
    if (requiresTee && seal && secret.length > 0 && !isSealedEnvelope(secret)) secret = await seal(secret);
    try {
      checkSecretPolicy(requiresTee, secret);
    } catch (cause) {
      throw new RequesterError("REQUEST_BAD_PARAMS", `requestProof: witness: ${(cause as Error).message}`, {
        cause,
      });
    }
    return secret;
  }

  private async ensureMarket(marketId: number): Promise<void> {
    const { node, marketplace } = this.components;
    if (node.followedMarkets.has(marketId)) return;
    let m: Awaited<ReturnType<MarketplaceClient["market"]>>;
    try {
      m = await marketplace.market(marketId);
    } catch (cause) {
      throw new RequesterError("REQUEST_UNKNOWN_MARKET", `market ${marketId}: cannot read it on-chain`, {
        cause,
      });
    }
    if (/^0x0+$/.test(m.verifier)) {
      throw new RequesterError("REQUEST_UNKNOWN_MARKET", `market ${marketId} does not exist on-chain`);
    }
    const { minProvingTime, maxProvingTime, requiresTee } = m;
    node.followMarket(marketId, { minProvingTime, maxProvingTime, requiresTee });
  }

  /** Deposit enough for this request and every one still waiting for assignment. */
  private async ensureDeposit(maxPrice: bigint): Promise<void> {
    const { marketplace } = this.components;
    let owed = maxPrice;
    for (const p of this.pending.values()) if (!p.record) owed += p.request.maxPrice;
    const balance = await marketplace.balanceOf(this.address);
    if (balance >= owed) return;
    const amount = owed - balance + (this.init.depositExtra ?? 0n);
    try {
      await marketplace.deposit(amount);
    } catch (cause) {
      throw new RequesterError(
        "REQUEST_DEPOSIT_FAILED",
        `deposit of ${amount} wei failed: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    this.log.info({ amount: String(amount) }, "deposited");
  }

  /** Until a peer listens on the request topic, a publish reaches no one (and cannot be repeated). */
  private async waitForPeers(marketId: number, signal?: AbortSignal): Promise<void> {
    const topic = marketTopic(marketId, "requests");
    const deadline = Date.now() + (this.init.peerWaitMs ?? 10_000);
    while (this.components.node.gossip.peers(topic).length === 0 && Date.now() < deadline) {
      signal?.throwIfAborted();
      await new Promise((r) => setTimeout(r, 50)); // no event for "a peer subscribed": poll with a deadline
    }
  }

  private onAssigned(e: ChainEvent): void {
    const id = String(e.args.requestId).toLowerCase() as Hex32;
    const p = this.pending.get(id);
    if (!p || p.record) return;
    p.record = {
      requestId: id,
      requester: String(e.args.requester).toLowerCase() as Address,
      marketId: Number(e.args.marketId),
      prover: String(e.args.prover).toLowerCase() as Address,
      price: e.args.price as bigint,
      inputsHash: e.args.inputsHash as Hex32,
      deadline: Number(e.args.deadline),
    };
    p.timings.assignedMs = Date.now() - p.timings.publishedAt;
    const { prover, price, deadline } = p.record;
    this.progress(p, { kind: "assigned", requestId: id, prover, price, deadline });
  }

  private async onFulfilled(e: ChainEvent): Promise<void> {
    const id = String(e.args.requestId).toLowerCase() as Hex32;
    const p = this.pending.get(id);
    if (!p || p.settled) return;
    const provider = this.components.marketplace.runner?.provider;
    let submitted = provider ? await proofFromTransaction(provider, e.transactionHash, id) : undefined;
    if (!submitted) {
      // Fulfilled through another contract: take the proof the prover announced on gossip.
      await this.components.node.flushed();
      const proof = await this.components.node.store.getProof(id);
      const publicInputs = await this.components.node.store.getInput(p.request.inputsHash);
      if (proof && publicInputs) submitted = { proof, publicInputs };
    }
    p.timings.verifiedMs = Date.now() - p.timings.publishedAt;
    this.progress(p, { kind: "verified", requestId: id, txHash: e.transactionHash });
    this.settle(id, p, {
      code: "PROVEN",
      requestId: id,
      prover: String(e.args.prover).toLowerCase() as Address,
      price: e.args.price as bigint,
      txHash: e.transactionHash,
      proof: submitted?.proof,
      publicInputs: submitted?.publicInputs,
      timings: p.timings,
    });
  }

  private onSlashed(e: ChainEvent): void {
    const id = String(e.args.requestId).toLowerCase() as Hex32;
    const p = this.pending.get(id);
    if (!p || p.settled) return;
    const compensation = e.args.toRequester as bigint;
    this.progress(p, { kind: "slashed", requestId: id, txHash: e.transactionHash, compensation });
    this.settle(id, p, {
      code: "SLASHED",
      requestId: id,
      prover: String(e.args.prover).toLowerCase() as Address,
      compensation,
      txHash: e.transactionHash,
      timings: p.timings,
    });
  }

  /** Time-driven steps, on chain time: unassigned past assign-by, or unproven past the deadline. */
  private tick(): void {
    const now = this.components.node.now();
    for (const [id, p] of this.pending) {
      if (p.settled) continue;
      if (!p.record && now > p.request.assignBy) void this.checkUnassigned(id, p);
      else if (p.record && now > p.record.deadline && !p.slashing && this.init.slashLate !== false)
        p.slashing = this.slash(p).finally(() => {
          p.slashing = undefined;
        });
    }
  }

  private async checkUnassigned(id: Hex32, p: Pending): Promise<void> {
    const { status } = await this.components.marketplace.requestState(id).catch(() => ({ status: "?" }));
    // Signed requests escrow nothing until assigned: past assign-by there is nothing to refund.
    if (status !== "none" || p.settled || p.record) return;
    this.progress(p, { kind: "unassigned", requestId: id });
    this.settle(id, p, { code: "UNASSIGNED", requestId: id, timings: p.timings });
  }

  private async slash(p: Pending): Promise<void> {
    try {
      await this.components.marketplace.slash(p.record!);
      this.log.warn({ requestId: p.record!.requestId }, "prover missed its deadline: slashed");
    } catch (err) {
      // Fulfilled or slashed meanwhile (the event settles it), or the chain's clock is behind ours.
      const code = err instanceof ChainError ? err.code : "?";
      this.log.debug({ requestId: p.record!.requestId, code }, "slash not possible (yet)");
    }
  }

  private settle(id: Hex32, p: Pending, outcome: ProofOutcome): void {
    p.settled = true;
    this.pending.delete(id);
    this.log.info({ requestId: id, code: outcome.code, ...outcome.timings }, "request settled");
    p.resolve(outcome);
  }

  private progress(p: Pending, progress: RequestProgress): void {
    try {
      p.onProgress?.(progress);
    } catch (err) {
      this.log.error({ err }, "progress callback failed");
    }
    this.dispatchEvent(new RequestProgressEvent(progress));
  }
}

function checkParams(p: ProofRequestParams): void {
  const bad = (field: string, why: string) =>
    new RequesterError("REQUEST_BAD_PARAMS", `requestProof: ${field} ${why}`);
  if (p.maxPrice <= 0n) throw bad("maxPrice", `must be > 0 (got ${p.maxPrice})`);
  if (!Number.isInteger(p.provingTime) || p.provingTime <= 0)
    throw bad("provingTime", `must be a positive integer of seconds (got ${p.provingTime})`);
  if (!Number.isInteger(p.assignWithinS) || p.assignWithinS <= 0)
    throw bad("assignWithinS", `must be a positive integer of seconds (got ${p.assignWithinS})`);
  if (p.publicInputs.length === 0) throw bad("publicInputs", "must not be empty");
}

function aborted(id: Hex32, signal: AbortSignal): RequesterError {
  return new RequesterError(
    "REQUEST_ABORTED",
    `request ${id}: stopped waiting (the request may still be matched)`,
    {
      cause: signal.reason,
    },
  );
}

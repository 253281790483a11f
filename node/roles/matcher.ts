/**
 * The matcher role (DESIGN §3.3, §4): an attested enclave node that follows the sequenced log and,
 * while it holds the on-chain lease, leads it. States follower -> candidate -> leader, driven by the
 * lease watcher. Every matcher pools gossiped requests, quotes and cancels and the chain's facts, so
 * a new leader has them; the leader sequences, signs, publishes and anchors; followers verify every
 * batch, raise alarms and report equivocations.
 *
 * Events: `role` {role, term}, `batch` {role, term, seq, events, assignments}, `anchored` {tx,
 * count, requestIds}, `anchorFailed` {code, message}, `anchorDropped` {requestId, code}, `alarm`
 * {code, term, seq, message}, `privateRefused` {requestId, code} (private-policy.ts),
 * `rejected` {code, term, seq, message}, `equivocation` {term, seq, tx}.
 */
import { EventEmitter } from "node:events";
import type { Provider } from "ethers";
import type { MarketplaceClient, RegistryClient } from "../../chain/index.js";
import {
  type Address,
  applyBatch,
  type Hex32,
  KalypsoError,
  type LogEvent,
  type SignedBatch,
} from "../../protocol/index.js";
import type { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { GossipDelivery } from "../network/gossip.js";
import type { Enclave } from "../tee/enclave.js";
import { type FactsReaderInit, type OnChainEvent, startFactsReader, watchChainFacts } from "./chain-facts.js";
import { LeaseWatcher, type MatcherRole } from "./lease-watcher.js";
import { Anchoring } from "./matcher-anchor.js";
import { Follower } from "./matcher-follower.js";
import { heartbeat, leadOnce } from "./matcher-leader.js";
import { MatcherLog } from "./matcher-log.js";
import type { MatcherMetrics } from "./matcher-metrics.js";
import { privateRuleBroken } from "./private-policy.js";
import { SequencingSchedule } from "./sequencing-schedule.js";

/** What a matcher needs. */
export interface MatcherComponents {
  /** The peer, started with `chain: { autoStart: false, contracts: marketplace + registry }`. */
  node: KalypsoNode;
  /** The registry, sending as the enclave's account (claim, renew, equivocation reports). */
  registry: RegistryClient;
  /** The marketplace, sending as the enclave's account (anchoring). */
  marketplace: MarketplaceClient;
  /** Chain time for the lease. */
  provider: Provider;
  /** Signs batches, heartbeats and anchoring batches; its address is the registered matcher. */
  enclave: Enclave;
  logger?: Logger;
  metrics?: MatcherMetrics;
  /**
   * Read chain facts with a reader of the matcher's own that resumes where its log's facts end.
   * Default: the node's chain watcher, whose cursor moves past facts pooled but not yet sequenced
   * (a restarted matcher that then leads would miss those).
   */
  chainFacts?: FactsReaderInit;
}

/** Matcher options; every field optional. */
export interface MatcherInit {
  /** How often the leader sequences what is pending (chain facts too). Default 250 ms. */
  batchIntervalMs?: number;
  /**
   * How long the leader waits after an order arrives before it sequences, to gather what arrives
   * with it. Default 10 ms: an order is not left waiting for the next interval tick.
   */
  batchDelayMs?: number;
  /** How often the leader says it lives. Default 1000 ms. */
  heartbeatIntervalMs?: number;
  /** How often the lease is read. Default 200 ms. */
  leaseCheckIntervalMs?: number;
  /** Most events per batch. Default 1000: a batch stays well under the gossip size bound. */
  maxBatchEvents?: number;
}

/** Coded errors of the matcher role. */
export class MatcherError extends KalypsoError<"MATCHER_NO_CHAIN" | "MATCHER_STOPPED"> {}

interface MatcherEvents {
  role: [{ role: MatcherRole; term: number }];
  batch: [{ role: MatcherRole; term: number; seq: number; events: number; assignments: number }];
  anchored: [{ tx: string; count: number; requestIds: Hex32[] }];
  anchorFailed: [{ code: string; message: string }];
  anchorDropped: [{ requestId: Hex32; code: string }];
  alarm: [{ code: string; term: number; seq: number; message: string }];
  rejected: [{ code: string; term: number; seq: number; message: string }];
  equivocation: [{ term: number; seq: number; tx: string | undefined }];
  privateRefused: [{ requestId: Hex32; code: string }];
}

/** The matcher service: `start()`, `stop()`, and events (see the file comment). */
export class Matcher extends EventEmitter<MatcherEvents> {
  readonly log: MatcherLog;
  private readonly lease: LeaseWatcher;
  private readonly follower: Follower;
  private readonly logger: Logger;
  private readonly leaders = new Map<number, Address>();
  private readonly opts: Required<MatcherInit>;
  private heartbeats: NodeJS.Timeout | undefined;
  private readonly sequencing: SequencingSchedule;
  private unsubscribe: (() => void) | undefined;
  private readonly anchoring: Anchoring;
  /** While paused: what arrived and waits for the wake-up (batches, then chain facts). */
  private held:
    | { batches: { batch: SignedBatch; signer: Address; from: string }[]; facts: LogEvent[] }
    | undefined;
  private facts: { stop: () => Promise<void> } | undefined;
  private started = false;
  private stopped = false;

  constructor(
    private readonly c: MatcherComponents,
    init: MatcherInit = {},
  ) {
    super();
    this.logger = c.logger ?? silentLogger;
    this.opts = {
      batchIntervalMs: init.batchIntervalMs ?? 250,
      batchDelayMs: init.batchDelayMs ?? 10,
      heartbeatIntervalMs: init.heartbeatIntervalMs ?? 1000,
      leaseCheckIntervalMs: init.leaseCheckIntervalMs ?? 200,
      maxBatchEvents: init.maxBatchEvents ?? 1000,
    };
    this.sequencing = new SequencingSchedule(
      () => this.lead(),
      () => this.lease.current.role === "leader" && !this.stopped,
      { intervalMs: this.opts.batchIntervalMs, delayMs: this.opts.batchDelayMs },
    );
    const ctx = c.node.validationContext();
    this.log = new MatcherLog(ctx.marketDomain, ctx.matcherDomain);
    this.anchoring = new Anchoring({
      log: this.log,
      components: () => {
        const now = c.node.validationContext();
        return {
          marketplace: c.marketplace,
          enclave: c.enclave,
          log: this.log,
          marketDomain: now.marketDomain,
          registryDomain: now.matcherDomain,
          onDrop: (a, code, message) => {
            this.logger.warn({ requestId: a.requestId, code }, `assignment not anchorable: ${message}`);
            this.emit("anchorDropped", { requestId: a.requestId, code });
          },
          onAnchored: (a) => {
            c.metrics?.assignmentsAnchored.inc(a.count);
            this.emit("anchored", { tx: a.tx, count: a.count, requestIds: a.requestIds });
          },
        };
      },
      lease: () => this.lease.current,
      awake: () => !this.stopped && !this.held,
      onFailure: (r, term) => {
        this.logger.warn({ code: r.code, term }, `anchoring failed: ${r.message}`);
        this.emit("anchorFailed", { code: r.code, message: r.message });
        // Fenced: the chain says our term is over, whatever our lease view believes.
        if (r.kind === "fenced") this.lease.stepDown(term);
      },
    });
    this.lease = new LeaseWatcher(
      {
        registry: c.registry,
        provider: c.provider,
        self: c.enclave.address,
        logger: this.logger,
        beforeClaim: () => this.follower.catchUp(),
      },
      { checkIntervalMs: this.opts.leaseCheckIntervalMs },
    );
    this.follower = new Follower({
      node: c.node,
      log: this.log,
      registry: c.registry,
      logger: this.logger,
      leaderOf: (t) => this.leaderOf(t),
      currentTerm: async () => {
        const lease = await c.registry.lease().catch(() => undefined);
        return Math.max(lease?.term ?? 0, this.lease.current.term);
      },
      onApplied: (b) => this.onApplied(b, "follower"),
      onRejected: (b, code, message) => {
        this.logger.warn({ code, term: b.header.term, seq: b.header.seq }, message);
        this.emit("rejected", { code, term: b.header.term, seq: b.header.seq, message });
      },
      onAlarm: (b, code, message) => {
        this.logger.error({ code, term: b.header.term, seq: b.header.seq }, `ALARM: ${message}`);
        this.c.metrics?.alarms.inc({ code });
        this.emit("alarm", { code, term: b.header.term, seq: b.header.seq, message });
      },
      onEquivocation: (term, seq, tx) => {
        this.c.metrics?.equivocations.inc();
        this.emit("equivocation", { term, seq, tx });
      },
    });
  }

  /** The role and term now. */
  get role(): { role: MatcherRole; term: number } {
    return { role: this.lease.current.role, term: this.lease.current.term };
  }

  /** The matcher's enclave address. */
  get address(): Address {
    return this.c.enclave.address;
  }

  /** Replay the stored log, follow gossip and the chain, and start watching the lease. */
  async start(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { node } = this.c;
    if (!node.chain) throw new MatcherError("MATCHER_NO_CHAIN", "the matcher's node must follow the chain");
    for await (const b of node.store.batchesFrom(0)) {
      options.signal?.throwIfAborted();
      try {
        applyBatch(this.log.state, b);
      } catch (err) {
        this.logger.warn({ err, seq: b.header.seq }, "stored log does not replay; stopping there");
        break;
      }
      this.log.applied(b);
      this.follower.remember(b);
    }
    const watcher = node.chain;
    let on: OnChainEvent = (name, h) => watcher.on(name, h);
    if (this.c.chainFacts) {
      const facts = startFactsReader(
        { provider: this.c.provider, logger: this.logger },
        this.c.chainFacts,
        this.log.lastFactBlock,
      );
      this.facts = facts;
      on = facts.on;
    }
    watchChainFacts({ on, marketplace: this.c.marketplace }, (e) => {
      if (this.held) this.held.facts.push(e);
      else this.log.add(e);
    });
    on("LeaseClaimed", (e) => {
      this.leaders.set(Number(e.args.term), (e.args.leader as string).toLowerCase() as Address);
    });
    this.unsubscribe = node.gossip.onMessage((d) => this.onGossip(d));
    await node.startChain();
    this.lease.on("change", (v) => this.onRole(v.role, v.term));
    this.lease.start();
    this.startTimers();
    this.logger.info({ matcher: this.address, enclave: this.c.enclave.kind }, "matcher started");
  }

  /** Stop leading and following. Idempotent; the node is the caller's to stop. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopTimers();
    this.unsubscribe?.();
    await this.lease.stop();
    await this.facts?.stop();
    await Promise.allSettled([this.sequencing.running, this.anchoring.idle(), this.follower.idle()]);
  }

  /**
   * Freeze (tests and fault injection): no lease checks, no batches; incoming batches and chain
   * facts are held. Models a process paused by the OS or a long GC: it still believes what it
   * believed. Gossiped requests and quotes still pool (as a socket buffer would deliver them).
   */
  async pause(): Promise<void> {
    this.stopTimers();
    await this.lease.stop();
    this.held = { batches: [], facts: [] };
  }

  /**
   * Wake from `pause()`: first finish what a paused leader was doing (sequence, publish, anchor
   * under the term it believes in), then read what arrived, then look at the lease again.
   */
  async resume(): Promise<void> {
    await this.sequencing.now();
    await this.anchoring.idle();
    const held = this.held ?? { batches: [], facts: [] };
    this.held = undefined;
    for (const e of held.facts) this.log.add(e);
    for (const h of held.batches) void this.follower.receive(h.batch, h.signer, h.from);
    this.lease.start();
    this.startTimers();
  }

  /** Wait until every batch received so far is handled (tests). */
  idle(): Promise<void> {
    return this.follower.idle();
  }

  private startTimers(): void {
    this.sequencing.start();
    this.heartbeats ??= setInterval(() => void this.beat(), this.opts.heartbeatIntervalMs);
  }

  private stopTimers(): void {
    this.sequencing.stop();
    this.anchoring.cancelRetry();
    clearInterval(this.heartbeats);
    this.heartbeats = undefined;
  }

  private onRole(role: MatcherRole, term: number): void {
    this.logger.info({ role, term }, "matcher role");
    this.c.metrics?.term.set(term);
    this.emit("role", { role, term });
    // A new leader first anchors what the log it continues has not anchored yet.
    if (role === "leader") this.anchoring.wake();
  }

  private onGossip(d: GossipDelivery): void {
    const m = d.message;
    switch (m.type) {
      case "request":
        if (privateRuleBroken(this.c.node, m.body, this.logger, (e) => this.emit("privateRefused", e)))
          return;
        this.log.add({ kind: "request", signed: m.body }, `request:${d.validated.id}`);
        this.sequencing.orderArrived();
        return;
      case "quote":
        this.log.add({ kind: "quote", signed: m.body }, `quote:${d.validated.id}`);
        this.sequencing.orderArrived();
        return;
      case "cancel":
        this.log.add({ kind: "cancel", signed: m.body });
        this.sequencing.orderArrived();
        return;
      case "batch": {
        const lease = this.lease.current;
        // We are the only one who may sign our own term: nothing to learn from it on gossip.
        if (lease.role === "leader" && m.body.header.term === lease.term) return;
        if (this.held) this.held.batches.push({ batch: m.body, signer: d.validated.signer, from: d.from });
        else void this.follower.receive(m.body, d.validated.signer, d.from);
        return;
      }
      case "heartbeat":
        if (!this.held && this.lease.current.role !== "leader")
          this.follower.heartbeat(m.body.heartbeat, d.from);
        return;
      default:
        return;
    }
  }

  private async lead(): Promise<void> {
    const term = this.lease.current.term;
    // Let batches already received land first: we continue the last batch we hold.
    if (!this.held) await this.follower.idle();
    try {
      const r = await leadOnce(
        { node: this.c.node, enclave: this.c.enclave, log: this.log, logger: this.logger },
        term,
        this.opts.maxBatchEvents,
      );
      if (r) {
        this.follower.remember(r.batch);
        this.onApplied(r.batch, "leader");
      }
    } catch (err) {
      this.logger.error({ err }, "sequencing failed");
    }
    this.anchoring.wake();
  }

  private onApplied(batch: SignedBatch, role: MatcherRole): void {
    const h = batch.header;
    if (role === "follower") this.log.applied(batch);
    this.c.metrics?.batches.inc({ role });
    this.c.metrics?.assignmentsVoided.set(this.log.state.engine.voided);
    this.emit("batch", {
      role,
      term: h.term,
      seq: h.seq,
      events: batch.events.length,
      assignments: batch.assignments.length,
    });
  }

  private async beat(): Promise<void> {
    if (this.lease.current.role !== "leader") return;
    await heartbeat(
      { node: this.c.node, enclave: this.c.enclave, log: this.log, logger: this.logger },
      this.lease.current.term,
    ).catch((err) => this.logger.debug({ err }, "heartbeat failed"));
  }

  /** The lease holder of `term`: from LeaseClaimed events, else the registry's current lease. */
  private async leaderOf(term: number): Promise<Address | undefined> {
    const known = this.leaders.get(term);
    if (known) return known;
    const lease = await this.c.registry.lease().catch(() => undefined);
    if (lease) this.leaders.set(lease.term, lease.leader);
    return this.leaders.get(term);
  }
}

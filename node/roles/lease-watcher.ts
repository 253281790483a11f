/**
 * The matcher's view of the leadership lease (DESIGN §4): it reads the registry's lease at chain
 * time, claims it when it has expired, renews it well before expiry while held, and steps down the
 * moment it cannot renew or sees another leader. Chain time is the latest block's timestamp, never
 * the wall clock: a dev chain moves only when told to.
 */
import { EventEmitter } from "node:events";
import type { Provider } from "ethers";
import type { RegistryClient } from "../../chain/index.js";
import type { Address } from "../../protocol/index.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";

/** follower: another matcher holds the lease (or none); candidate: claiming; leader: we hold it. */
export type MatcherRole = "follower" | "candidate" | "leader";

/** Where the lease stands for this matcher. */
export interface LeaseView {
  role: MatcherRole;
  /** The term the registry is at (ours when leading). */
  term: number;
  leader: Address;
  expiresAt: number;
}

/** What the lease watcher needs. */
export interface LeaseWatcherComponents {
  /** The registry, sending as the matcher's enclave account. */
  registry: RegistryClient;
  provider: Provider;
  /** The matcher's enclave address (the lease holder's identity). */
  self: Address;
  /**
   * Runs before each claim: the matcher catches up on the log from its peers while the old term is
   * still the registry's, so the batches any peer holds are part of the log it will continue.
   */
  beforeClaim?: () => Promise<void>;
  logger?: Logger;
}

/** Options of the lease watcher. */
export interface LeaseWatcherInit {
  /** How often to read the lease. Default 200 ms: a failover costs at most this much over the lease. */
  checkIntervalMs?: number;
  /**
   * Renew once less than this share of the lease is left. Default 0.5: half a lease of slack for
   * a slow transaction before the lease lapses.
   */
  renewAtFraction?: number;
}

/** Emits `change` (LeaseView) whenever the role or term changes. */
export class LeaseWatcher extends EventEmitter<{ change: [LeaseView] }> {
  private view: LeaseView = { role: "follower", term: 0, leader: "0x" as Address, expiresAt: 0 };
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private durationS = 0;
  private seen = { block: -1, wallMs: 0 };
  private readonly log: Logger;
  private readonly intervalMs: number;
  private readonly renewAt: number;

  constructor(
    private readonly c: LeaseWatcherComponents,
    init: LeaseWatcherInit = {},
  ) {
    super();
    this.log = c.logger ?? silentLogger;
    this.intervalMs = init.checkIntervalMs ?? 200;
    this.renewAt = init.renewAtFraction ?? 0.5;
  }

  /** The lease as last seen. */
  get current(): LeaseView {
    return this.view;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    void this.check();
  }

  /** Stop reading the lease (a paused or stopped matcher). Idempotent. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Read the lease once and act on it; concurrent calls share one check. */
  check(): Promise<void> {
    this.ticking ??= this.tick().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /** Stop leading now (the caller learned it lost the lease, e.g. a StaleTerm revert). */
  stepDown(term: number): void {
    if (this.view.role === "leader") this.set({ ...this.view, role: "follower", term });
  }

  private async tick(): Promise<void> {
    try {
      const lease = await this.c.registry.lease();
      const now = await this.chainNow();
      const mine = lease.leader === this.c.self.toLowerCase();
      if (mine && now < lease.expiresAt) {
        this.durationS = Math.max(this.durationS, lease.expiresAt - now);
        this.set({ role: "leader", ...lease });
        // Renew on the estimated time of the next block: the latest one may be old on a quiet chain,
        // and a renewal sent late would land after expiry.
        if (lease.expiresAt - this.estimateNow(now) <= this.durationS * this.renewAt)
          await this.renew(lease.term);
        return;
      }
      if (now < lease.expiresAt) {
        this.set({ role: "follower", ...lease });
        return;
      }
      await this.claim(lease.term);
    } catch (err) {
      this.log.warn({ err }, "lease check failed; retrying");
    }
  }

  private async renew(term: number): Promise<void> {
    try {
      await this.c.registry.renew();
      this.log.debug({ term }, "lease renewed");
    } catch (err) {
      // Could not renew: the lease may lapse before the next check, so stop leading at once.
      this.log.warn({ err, term }, "lease renewal failed: stepping down");
      this.set({ ...this.view, role: "follower" });
    }
  }

  private async claim(expiredTerm: number): Promise<void> {
    this.set({ ...this.view, role: "candidate", term: expiredTerm });
    await this.c.beforeClaim?.().catch((err) => this.log.warn({ err }, "catch-up before claim failed"));
    try {
      await this.c.registry.claim();
      const lease = await this.c.registry.lease();
      const now = await this.chainNow();
      this.durationS = lease.expiresAt - now;
      this.log.info({ term: lease.term, expiresAt: lease.expiresAt }, "lease claimed");
      this.set({ role: lease.leader === this.c.self.toLowerCase() ? "leader" : "follower", ...lease });
    } catch (err) {
      // Another matcher claimed first (LeaseNotExpired), or we may not lead: follow.
      this.log.debug({ err }, "lease claim failed");
      const lease = await this.c.registry.lease().catch(() => undefined);
      this.set({ role: "follower", ...(lease ?? this.view) });
    }
  }

  /** The latest block's time: only the chain says when a lease has expired. */
  private async chainNow(): Promise<number> {
    const block = await this.c.provider.getBlock("latest");
    if (!block) throw new Error("no latest block");
    if (block.number !== this.seen.block) this.seen = { block: block.number, wallMs: Date.now() };
    return block.timestamp;
  }

  /** The latest block's time plus the wall time since we first saw it: when a transaction would land. */
  private estimateNow(latest: number): number {
    return latest + Math.floor((Date.now() - this.seen.wallMs) / 1000);
  }

  private set(next: LeaseView): void {
    const prev = this.view;
    this.view = next;
    if (prev.role !== next.role || prev.term !== next.term) this.emit("change", next);
  }
}

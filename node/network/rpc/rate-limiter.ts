/**
 * Per-peer token buckets for request/response protocols: a peer may burst, but not sustain more
 * than its rate, so one peer cannot monopolise a node's disk or bandwidth.
 */

export interface RateLimiterInit {
  /** Requests per second a peer may sustain. Default 20: a syncing follower needs a few per second. */
  ratePerSecond?: number;
  /** Requests a peer may make at once. Default 40. */
  burst?: number;
  /** Peers tracked at most; the least recently seen is dropped. Default 10,000. */
  maxPeers?: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxPeers: number;

  constructor(
    init: RateLimiterInit = {},
    private readonly now: () => number = Date.now,
  ) {
    this.rate = init.ratePerSecond ?? 20;
    this.burst = init.burst ?? 40;
    this.maxPeers = init.maxPeers ?? 10_000;
  }

  /** Take one token for `peer`; false when it is over its rate. */
  take(peer: string): boolean {
    const t = this.now();
    let b = this.buckets.get(peer);
    if (b) {
      this.buckets.delete(peer); // re-insert: Map order is recency order
      b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.rate);
      b.at = t;
    } else {
      b = { tokens: this.burst, at: t };
      if (this.buckets.size >= this.maxPeers) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(peer, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

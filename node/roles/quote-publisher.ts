/**
 * Keeps a prover's standing offers alive: one signed Quote per market on the market's quote topic,
 * replaced by a fresh one (new nonce, new valid-until) once a third of its validity is left, so a
 * matcher never sees the prover without a live quote. Times are chain time.
 */
import type { Address } from "../../protocol/bytes.js";
import type { Domain } from "../../protocol/eip712.js";
import type { Quote, SignedQuote } from "../../protocol/messages.js";
import { signQuote } from "../../protocol/sign.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";

/** What a prover offers in one market. */
export interface QuotePricing {
  /** Price per proof, wei. */
  price: bigint;
  /** Seconds the prover promises per proof (the deadline is assignment time plus this). */
  provingTime: number;
  /** Requests it takes at once. */
  capacity: number;
  /** Seconds each quote stays valid. Default 300: refreshed every ~200 s. */
  quoteValidityS?: number;
}

/** What the publisher needs. */
export interface QuotePublisherComponents {
  prover: Address;
  key: Uint8Array;
  marketDomain: Domain;
  /** Chain time in seconds. */
  now: () => number;
  publish(quote: SignedQuote): Promise<unknown>;
  /** Peers subscribed to a market's quote topic; a newcomer gets a fresh quote (gossip does not replay). */
  subscribers?: (marketId: number) => readonly string[];
  logger?: Logger;
}

/** Options; every field optional. */
export interface QuotePublisherInit {
  /** How often to check whether a quote needs refreshing. Default 1,000 ms (chain time moves in seconds). */
  checkIntervalMs?: number;
  /** Least time between two quotes for one market when only new subscribers ask for it. Default 2,000 ms: churn cannot make us flood. */
  minRepublishMs?: number;
}

/** Default validity of a quote: long enough to be matched, short enough that a gone prover's offer lapses. */
export const DEFAULT_QUOTE_VALIDITY_S = 300;

/** Publishes and refreshes one quote per market. */
export class QuotePublisher {
  private readonly current = new Map<number, SignedQuote>();
  /** Per market: when its quote was last published (wall ms) and to which subscribers. */
  private readonly sentTo = new Map<number, { atMs: number; peers: Set<string> }>();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private nonce = BigInt(Date.now()) * 1000n;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(
    private readonly components: QuotePublisherComponents,
    private readonly pricing: ReadonlyMap<number, QuotePricing>,
    private readonly init: QuotePublisherInit = {},
  ) {
    this.log = components.logger ?? silentLogger;
  }

  /** The live quote of a market, if one was published. */
  quote(marketId: number): SignedQuote | undefined {
    return this.current.get(marketId);
  }

  /** Publish a quote per market now, then keep them fresh. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refreshing = this.refreshing.then(() => this.refresh()).catch(() => {});
    }, this.init.checkIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Stop refreshing (published quotes lapse on their own); idempotent. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  /**
   * Publish a new quote for every market whose quote is missing, in its last third of validity, or
   * not yet seen by a peer that subscribed since it was published.
   */
  async refresh(): Promise<void> {
    const now = this.components.now();
    for (const [marketId, p] of this.pricing) {
      const validity = p.quoteValidityS ?? DEFAULT_QUOTE_VALIDITY_S;
      const live = this.current.get(marketId);
      const peers = this.components.subscribers?.(marketId) ?? [];
      const sent = this.sentTo.get(marketId);
      const newcomer =
        sent !== undefined &&
        peers.some((peer) => !sent.peers.has(peer)) &&
        Date.now() - sent.atMs >= (this.init.minRepublishMs ?? 2000);
      if (live && live.quote.validUntil - now > validity / 3 && !newcomer) continue;
      const quote: Quote = {
        marketId,
        prover: this.components.prover,
        price: p.price,
        provingTime: p.provingTime,
        capacity: p.capacity,
        validUntil: now + validity,
        nonce: ++this.nonce,
      };
      const signed = signQuote(this.components.marketDomain, quote, this.components.key);
      try {
        await this.components.publish(signed);
        this.current.set(marketId, signed);
        this.sentTo.set(marketId, { atMs: Date.now(), peers: new Set(peers) });
        this.log.info({ marketId, price: String(p.price), validUntil: quote.validUntil }, "quote published");
      } catch (err) {
        // The next check tries again; an old quote stays in use until it lapses.
        this.log.warn({ err, marketId }, "quote publish failed");
      }
    }
  }
}

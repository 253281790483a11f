/**
 * Versioned gossip topics (DESIGN §6): one request, quote and proof topic per market, one log and one
 * heartbeat topic for the whole network. Each topic carries only the message types listed here.
 */
import type { MessageType } from "../../protocol/index.js";

export const TOPIC_PREFIX = "/kalypso/1";

export type MarketTopicKind = "requests" | "quotes" | "proofs";
export type TopicKind = MarketTopicKind | "log" | "heartbeat";

/** The messages each kind of topic carries; anything else on it is REJECT. */
export const TOPIC_MESSAGE_TYPES: Record<TopicKind, readonly MessageType[]> = {
  requests: ["request", "cancel"],
  quotes: ["quote"],
  proofs: ["proof"],
  log: ["batch"],
  heartbeat: ["heartbeat"],
};

export const MARKET_TOPIC_KINDS: readonly MarketTopicKind[] = ["requests", "quotes", "proofs"];

/** What a node subscribes to beyond the log (which every node follows). */
export interface TopicInterest {
  /** The topics of each followed market. */
  market: readonly MarketTopicKind[];
  /** The leader's heartbeats: what a follower matcher watches to detect a dead leader. */
  heartbeat: boolean;
  /**
   * The markets whose topics it takes (a prover: those it proves); every market when absent. A
   * prover of one circuit has no use for the requests of every other, and each would cost it a
   * decrypt, a check and a forward.
   */
  markets?: ReadonlySet<number>;
}

/** Everything: what a relay (bootstrap peer, observer) or a matcher takes. */
export const ALL_TOPICS: TopicInterest = { market: MARKET_TOPIC_KINDS, heartbeat: true };

/**
 * The topics a node of `role` needs. Every subscriber receives, checks, stores and forwards each
 * message of a topic, so a node takes only what its role reads: a prover needs requests (to see
 * the work and its inputs), not other provers' quotes or proofs; a requester needs proofs (its
 * own, announced before the chain has them), not requests or quotes (it publishes its requests
 * without subscribing: gossip sends them to the peers that listen). Only matchers read heartbeats.
 * A prover given the markets it `proves` takes their requests only.
 * Matchers, observers and bootstrap peers (relays) take everything.
 */
export function topicsOf(role: string | undefined, proves?: Iterable<number>): TopicInterest {
  if (role === "prover")
    return { market: ["requests"], heartbeat: false, ...(proves ? { markets: new Set(proves) } : {}) };
  if (role === "requester") return { market: ["proofs"], heartbeat: false };
  return ALL_TOPICS;
}

/** Whether a node with `interest` takes the topics of market `marketId` (of the kinds it names). */
export function takesMarket(interest: TopicInterest, marketId: number): boolean {
  return !interest.markets || interest.markets.has(marketId);
}

export const LOG_TOPIC = `${TOPIC_PREFIX}/log`;
export const HEARTBEAT_TOPIC = `${TOPIC_PREFIX}/heartbeat`;

export function marketTopic(marketId: number, kind: MarketTopicKind): string {
  return `${TOPIC_PREFIX}/${marketId}/${kind}`;
}

export interface ParsedTopic {
  kind: TopicKind;
  /** Set for market topics. */
  marketId?: number;
}

const MARKET_TOPIC_RE = /^\/kalypso\/1\/(0|[1-9][0-9]{0,15})\/(requests|quotes|proofs)$/;

/** What a topic string is, or undefined when it is not one of ours. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  if (topic === LOG_TOPIC) return { kind: "log" };
  if (topic === HEARTBEAT_TOPIC) return { kind: "heartbeat" };
  const m = MARKET_TOPIC_RE.exec(topic);
  if (!m) return undefined;
  const marketId = Number(m[1]);
  if (!Number.isSafeInteger(marketId)) return undefined;
  return { kind: m[2] as MarketTopicKind, marketId };
}

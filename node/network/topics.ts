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

/**
 * The gossip validation pipeline for one payload on one topic (DESIGN §6): size bound, strict
 * decode, message type and market must belong to the topic, then the protocol's rules (cheap
 * fields, dedupe, signature, state). The result is a verdict; nothing is thrown.
 */
import {
  decodeMessage,
  MAX_MESSAGE_BYTES,
  type Message,
  ProtocolError,
  reject,
  type Validated,
  type ValidationContext,
  validateDecoded,
} from "../../protocol/index.js";
import { type ParsedTopic, TOPIC_MESSAGE_TYPES } from "../network/topics.js";

export type GossipVerdict =
  | { verdict: "ACCEPT"; message: Message; validated: Validated }
  | { verdict: "REJECT" | "IGNORE"; error: ProtocolError };

function marketOf(m: Message): number | undefined {
  switch (m.type) {
    case "request":
      return m.body.request.marketId;
    case "quote":
      return m.body.quote.marketId;
    case "proof":
      return m.body.announcement.marketId;
    default:
      return undefined;
  }
}

function check(
  ctx: ValidationContext,
  topic: ParsedTopic,
  data: Uint8Array,
): { message: Message; validated: Validated } {
  const allowed = TOPIC_MESSAGE_TYPES[topic.kind];
  const max = Math.max(...allowed.map((t) => MAX_MESSAGE_BYTES[t]));
  // [REJECT] larger than anything this topic carries: checked before decoding
  if (data.length > max)
    throw reject("DECODE_OVERSIZED", `${data.length} bytes on a ${topic.kind} topic, at most ${max}`);
  const message = decodeMessage(data);
  // [REJECT] a message type that does not belong on this topic
  if (!allowed.includes(message.type)) {
    throw reject("WRONG_TOPIC", `a ${message.type} message on a ${topic.kind} topic`);
  }
  const market = marketOf(message);
  // [REJECT] a market message on another market's topic
  if (topic.marketId !== undefined && market !== undefined && market !== topic.marketId) {
    throw reject("WRONG_TOPIC", `${message.type}.marketId ${market} on market ${topic.marketId}'s topic`);
  }
  return { message, validated: validateDecoded(ctx, message) };
}

/** Validate one gossip payload received on `topic`. */
export function validateGossip(ctx: ValidationContext, topic: ParsedTopic, data: Uint8Array): GossipVerdict {
  try {
    return { verdict: "ACCEPT", ...check(ctx, topic, data) };
  } catch (err) {
    if (err instanceof ProtocolError) return { verdict: err.verdict, error: err };
    // A bug of ours must not look like the peer's fault, nor crash the node: IGNORE it.
    const error = new ProtocolError("VALIDATOR_FAILED", "IGNORE", `validator failed: ${String(err)}`);
    return { verdict: "IGNORE", error };
  }
}

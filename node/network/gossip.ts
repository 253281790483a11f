/**
 * Gossip of Kalypso messages over gossipsub. Every payload goes through `validateGossip`; this
 * module only maps the verdict to gossipsub's result, metrics, logs and peer penalties, and hands
 * accepted messages to subscribers. Messages this node publishes are validated the same way first,
 * so it never gossips what its peers would reject.
 */
import { TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId } from "@libp2p/interface";
import {
  encodeMessage,
  type Hex32,
  type Message,
  type ProtocolError,
  type Validated,
  type ValidationContext,
} from "../../protocol/index.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { NodeMetrics } from "../metrics.js";
import { validateGossip } from "../validation/gossip-validation.js";
import { SeenCache } from "../validation/seen-cache.js";
import type { Host } from "./host.js";
import type { PeerPenalties } from "./peer-penalties.js";
import { type ParsedTopic, parseTopic } from "./topics.js";

/** A message that passed validation, with where it came from. */
export interface GossipDelivery {
  topic: string;
  message: Message;
  validated: Validated;
  /** The peer that forwarded it to us (not necessarily its author). */
  from: string;
}

export type GossipHandler = (delivery: GossipDelivery) => void;

export interface GossipComponents {
  host: Host;
  penalties: PeerPenalties;
  /** The validation context as of now (chain time, domains, known markets). */
  context: () => ValidationContext;
  logger?: Logger;
  metrics?: NodeMetrics;
}

export interface GossipInit {
  /** Message ids remembered for dedupe. Default 100,000: about a day of a busy market's requests. */
  seenCapacity?: number;
}

const RESULT = {
  ACCEPT: TopicValidatorResult.Accept,
  IGNORE: TopicValidatorResult.Ignore,
  REJECT: TopicValidatorResult.Reject,
} as const;

export class Gossip {
  private readonly seen: SeenCache;
  private readonly handlers = new Set<GossipHandler>();
  private readonly topics = new Map<string, ParsedTopic>();
  private readonly log: Logger;

  constructor(
    private readonly components: GossipComponents,
    init: GossipInit = {},
  ) {
    this.seen = new SeenCache(init.seenCapacity ?? 100_000);
    this.log = components.logger ?? silentLogger;
  }

  /** Receive every accepted message on every subscribed topic. Returns an unsubscribe function. */
  onMessage(handler: GossipHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  subscribe(topic: string): void {
    const parsed = parseTopic(topic);
    if (!parsed) throw new TypeError(`${topic} is not a Kalypso topic`);
    if (this.topics.has(topic)) return;
    this.topics.set(topic, parsed);
    const pubsub = this.components.host.services.pubsub;
    pubsub.topicValidators.set(topic, (peer, msg) => this.validate(topic, parsed, peer, msg.data));
    pubsub.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (!this.topics.delete(topic)) return;
    const pubsub = this.components.host.services.pubsub;
    pubsub.unsubscribe(topic);
    pubsub.topicValidators.delete(topic);
  }

  /**
   * Publish a message on a topic after validating it as a peer would. Throws the ProtocolError a
   * peer would reject it with. Returns the message id and how many peers it was sent to.
   */
  async publish(topic: string, message: Message): Promise<{ id: Hex32; recipients: number }> {
    const parsed = parseTopic(topic);
    if (!parsed) throw new TypeError(`${topic} is not a Kalypso topic`);
    const data = encodeMessage(message);
    const result = validateGossip(this.context(), parsed, data);
    if (result.verdict !== "ACCEPT") throw result.error;
    this.seen.add(result.validated.id);
    const sent = await this.components.host.services.pubsub.publish(topic, data);
    this.components.metrics?.gossipPublished.inc({ topic: parsed.kind });
    return { id: result.validated.id, recipients: sent.recipients.length };
  }

  /** Peers subscribed to `topic` that we know of. */
  peers(topic: string): string[] {
    return this.components.host.services.pubsub.getSubscribers(topic).map((p) => p.toString());
  }

  /** Peers in our gossipsub mesh for `topic`: the ones that forward us its messages eagerly. */
  meshPeers(topic: string): string[] {
    // The implementation has getMeshPeers; the exported interface type does not declare it.
    return (
      this.components.host.services.pubsub as unknown as { getMeshPeers(t: string): string[] }
    ).getMeshPeers(topic);
  }

  /** Gossipsub's score of a peer, our verdict penalties included: below the graylist threshold it is ignored. */
  peerScore(peer: string): number {
    // The implementation has getScore; the exported interface type does not declare it.
    return (this.components.host.services.pubsub as unknown as { getScore(p: string): number }).getScore(
      peer,
    );
  }

  private context(): ValidationContext {
    const ctx = this.components.context();
    const seen = this.seen;
    return { ...ctx, seen: (id) => seen.has(id) || (ctx.seen?.(id) ?? false) };
  }

  private validate(topic: string, parsed: ParsedTopic, peer: PeerId, data: Uint8Array): TopicValidatorResult {
    const result = validateGossip(this.context(), parsed, data);
    const from = peer.toString();
    const code = result.verdict === "ACCEPT" ? "" : result.error.code;
    this.components.metrics?.gossipVerdicts.inc({ topic: parsed.kind, verdict: result.verdict, code });
    if (result.verdict === "ACCEPT") {
      this.seen.add(result.validated.id);
      const delivery: GossipDelivery = { topic, message: result.message, validated: result.validated, from };
      for (const h of this.handlers) {
        try {
          h(delivery);
        } catch (err) {
          this.log.error({ err, topic }, "gossip handler failed");
        }
      }
    } else {
      this.penalise(result.verdict, from, topic, result.error);
    }
    return RESULT[result.verdict];
  }

  private penalise(verdict: "REJECT" | "IGNORE", from: string, topic: string, error: ProtocolError): void {
    if (verdict === "REJECT") {
      this.components.penalties.reject(from);
      this.components.metrics?.penalisedPeers.set(this.components.penalties.size);
    }
    // Raw network data only at debug: a flood must not flood the logs.
    this.log.debug(
      { peer: from, topic, verdict, code: error.code, reason: error.message },
      "gossip message dropped",
    );
  }
}

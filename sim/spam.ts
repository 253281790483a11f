/**
 * Attacker peers (the spam scenario): each joins next to an honest prover (attackers run in the
 * controller process in both modes; their victims may run in their own), subscribes to the market's
 * request topic and sends malformed, oversized, badly signed and replayed messages until that
 * prover's penalties graylist it. Replays (an honest request sent again) are duplicates the victim
 * drops without judging; the rest are provably bad and judged REJECT.
 */
import { randomBytes } from "node:crypto";
import { KalypsoNode } from "../node/kalypso-node.js";
import { DEFAULT_NETWORK_OPTIONS } from "../node/network/options.js";
import { marketTopic } from "../node/network/topics.js";
import {
  encodeMessage,
  type Hex32,
  keccak,
  MAX_MESSAGE_BYTES,
  MESSAGE_TAGS,
  type Message,
  PROTOCOL_VERSION,
  signRequest,
  toHex,
  ZERO_HASH,
} from "../protocol/index.js";
import type { SimNetwork } from "./network.js";
import { pollUntil } from "./poll.js";

/** Most messages one attacker sends before giving up on being graylisted. */
const MAX_SPAM_MESSAGES = 60;

/** What the attack did. */
export interface SpamResult {
  attackers: string[];
  /** Attackers whose score at their victim fell below the graylist threshold. */
  graylisted: string[];
  sent: Record<string, number>;
  stop(): Promise<void>;
}

/** Start `count` attackers and attack until each is graylisted (or has sent MAX_SPAM_MESSAGES). */
export async function runSpam(net: SimNetwork, count: number): Promise<SpamResult> {
  const market = net.markets[0]!;
  const topic = marketTopic(market.marketId, "requests");
  const attackers: KalypsoNode[] = [];
  const graylisted: string[] = [];
  const sent: Record<string, number> = { malformed: 0, oversized: 0, bad_signature: 0, replayed: 0 };
  const heard: Message[] = [];
  const threshold = DEFAULT_NETWORK_OPTIONS.scoreThresholds.graylistThreshold;
  const wrongKey = net.world.keys.owner;
  const requester = net.requesters[0]!.address;

  const badlySigned = (i: number) => {
    const now = Math.floor(Date.now() / 1000);
    const request = {
      marketId: market.marketId,
      requester,
      inputsHash: toHex(keccak(randomBytes(32))) as Hex32,
      secretHash: ZERO_HASH,
      maxPrice: 10n ** 15n,
      assignBy: now + 600,
      provingTime: 60,
      nonce: BigInt(1_000_000 + i),
    };
    // [REJECT] at the victim: signed by a key that is not the requester's.
    return encodeMessage({
      type: "request",
      body: signRequest(net.world.deployment.marketDomain, request, wrongKey),
    });
  };
  const oversized = () => {
    const b = new Uint8Array(MAX_MESSAGE_BYTES.request + 10);
    b.set(randomBytes(b.length));
    b[0] = MESSAGE_TAGS.request;
    b[1] = PROTOCOL_VERSION;
    return b;
  };

  for (let a = 0; a < count; a++) {
    const victim = net.provers[a % net.provers.length]!.node;
    const node = await KalypsoNode.start({
      ...net.nodeInit(`attacker-${a}`, [victim.multiaddrs[0]!]),
      chain: undefined,
    });
    attackers.push(node);
    node.gossip.onMessage((d) => {
      if (d.message.type === "request") heard.push(d.message);
    });
    node.gossip.subscribe(topic);
    const id = node.identity.peerId.toString();
    const victimId = victim.peerId;
    await pollUntil(
      () => node.gossip.peers(topic).includes(victimId),
      `attacker-${a} to mesh with its victim`,
      20_000,
    );
    // The victim's judgement of the attacker (over IPC when the victim runs in its own process).
    const standing = () => victim.peerStanding(id);
    for (let i = 0; i < MAX_SPAM_MESSAGES && (await standing()).score > threshold; i++) {
      const replay = heard[i % Math.max(1, heard.length)];
      const planned = (["malformed", "oversized", "bad_signature", "replayed"] as const)[i % 4];
      // Nothing heard yet to replay: send a badly signed one instead.
      const kind = planned === "replayed" && !replay ? "bad_signature" : planned;
      const bytes =
        kind === "malformed"
          ? new Uint8Array(randomBytes(40 + i))
          : kind === "oversized"
            ? oversized()
            : kind === "bad_signature" || !replay
              ? badlySigned(i)
              : encodeMessage(replay);
      const before = (await standing()).rejects;
      await node.host.services.pubsub.publish(topic, bytes).catch(() => undefined);
      sent[kind] = (sent[kind] ?? 0) + 1;
      if (kind !== "replayed") {
        // Each provably bad message is judged before the next is sent.
        await pollUntil(
          async () => (await standing()).rejects > before,
          `REJECT of attacker-${a}'s message ${i}`,
          5_000,
        );
      }
    }
    if ((await standing()).score <= threshold) graylisted.push(id);
  }
  return {
    attackers: attackers.map((n) => n.identity.peerId.toString()),
    graylisted,
    sent,
    stop: async () => {
      for (const n of attackers) await n.stop();
    },
  };
}

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { GossipDelivery } from "../../node/network/gossip.js";
import { DEFAULT_NETWORK_OPTIONS } from "../../node/network/options.js";
import { marketTopic } from "../../node/network/topics.js";
import {
  encodeMessage,
  MAX_MESSAGE_BYTES,
  MESSAGE_TAGS,
  PROTOCOL_VERSION,
  requestId,
  signQuote,
  signRequest,
} from "../../protocol/index.js";
import { waitFor } from "../helpers/wait.js";
import {
  INPUTS,
  MARKET_DOMAIN,
  PROVER_KEY,
  REQUESTER_KEY,
  sampleQuote,
  sampleRequest,
} from "../protocol/samples.js";
import { startNetwork, startPeer, stopAll, type TestPeer } from "./network-harness.js";

const REQUESTS = marketTopic(1, "requests");

/** Subscribe every peer and wait until each sees at least one other subscriber. */
async function joinTopic(peers: TestPeer[], topic: string): Promise<void> {
  for (const p of peers) p.gossip.subscribe(topic);
  await waitFor(
    () => peers.every((p) => p.gossip.peers(topic).length > 0),
    `every peer to see a subscriber of ${topic}`,
  );
}

function collect(peer: TestPeer): GossipDelivery[] {
  const got: GossipDelivery[] = [];
  peer.gossip.onMessage((d) => got.push(d));
  return got;
}

describe("node/network gossip (real libp2p on 127.0.0.1)", function () {
  this.timeout(60_000);
  let peers: TestPeer[] = [];
  afterEach(async () => {
    await stopAll(peers);
    peers = [];
  });

  it("a request published on one of 6 nodes reaches all the others, validated", async () => {
    peers = await startNetwork(5);
    await joinTopic(peers, REQUESTS);
    const inboxes = peers.map(collect);
    const signed = signRequest(MARKET_DOMAIN, sampleRequest(), REQUESTER_KEY, { inputs: INPUTS });
    const publisher = peers[3]!;
    await publisher.gossip.publish(REQUESTS, { type: "request", body: signed });
    const id = requestId(MARKET_DOMAIN, sampleRequest());
    await waitFor(
      () => inboxes.every((inbox, i) => i === 3 || inbox.some((d) => d.validated.id === id)),
      "the request at every other node",
    );
    for (const [i, inbox] of inboxes.entries()) {
      if (i === 3) continue;
      assert.equal(inbox.length, 1, `node ${i} got the request exactly once`);
      const d = inbox[0]!;
      assert.equal(d.message.type, "request");
      assert.deepEqual(
        d.message.type === "request" && d.message.body.inputs,
        INPUTS,
        `node ${i} got the inputs`,
      );
    }
  });

  it("publishing a message a peer would reject throws the same coded error and sends nothing", async () => {
    peers = [await startPeer()];
    peers[0]!.gossip.subscribe(REQUESTS);
    const quote = signQuote(MARKET_DOMAIN, sampleQuote(), PROVER_KEY);
    await assert.rejects(peers[0]!.gossip.publish(REQUESTS, { type: "quote", body: quote }), {
      code: "WRONG_TOPIC",
    });
    const expired = signQuote(MARKET_DOMAIN, sampleQuote({ validUntil: 1 }), PROVER_KEY);
    await assert.rejects(
      peers[0]!.gossip.publish(marketTopic(1, "quotes"), { type: "quote", body: expired }),
      {
        code: "QUOTE_EXPIRED",
      },
    );
  });

  it("a peer sending garbage is graylisted within 20 messages while honest traffic still flows", async () => {
    peers = await startNetwork(2);
    const attacker = await startPeer({ bootstrap: [peers[0]!.addr] });
    peers.push(attacker);
    const honest = peers.slice(0, 3);
    await joinTopic(peers, REQUESTS);
    const victim = peers[0]!;
    const attackerId = attacker.identity.peerId.toString();
    const badlySigned = (i: number) =>
      encodeMessage({
        type: "request",
        body: signRequest(MARKET_DOMAIN, sampleRequest({ nonce: BigInt(1000 + i) }), PROVER_KEY),
      });
    const oversized = () => {
      const b = new Uint8Array(MAX_MESSAGE_BYTES.request + 10);
      b.set(randomBytes(b.length));
      b[0] = MESSAGE_TAGS.request;
      b[1] = PROTOCOL_VERSION;
      return b;
    };
    const garbage = [
      (i: number) => new Uint8Array(randomBytes(40 + i)),
      oversized,
      badlySigned,
      (i: number) => Uint8Array.from([MESSAGE_TAGS.quote, PROTOCOL_VERSION, ...randomBytes(20 + i)]),
    ];
    let sent = 0;
    while (
      sent < 20 &&
      victim.gossip &&
      victim.penalties.score(attackerId) > DEFAULT_NETWORK_OPTIONS.scoreThresholds.graylistThreshold
    ) {
      await attacker.host.services.pubsub.publish(REQUESTS, garbage[sent % garbage.length]!(sent));
      sent++;
      // Each message is judged by the victim before the next is sent.
      await waitFor(() => victim.penalties.rejects(attackerId) === sent, `REJECT verdict on message ${sent}`);
    }
    const score = await waitFor(() => {
      const s = victim.gossip.peerScore(attackerId);
      return s < DEFAULT_NETWORK_OPTIONS.scoreThresholds.graylistThreshold ? s : undefined;
    }, "the attacker's gossipsub score below the graylist threshold");
    assert.ok(sent <= 20, `graylisted after ${sent} messages`);
    assert.ok(score < DEFAULT_NETWORK_OPTIONS.scoreThresholds.graylistThreshold);

    const inboxes = honest.map(collect);
    const signed = signRequest(MARKET_DOMAIN, sampleRequest({ nonce: 1n }), REQUESTER_KEY);
    await honest[2]!.gossip.publish(REQUESTS, { type: "request", body: signed });
    await waitFor(
      () => inboxes[0]!.length === 1 && inboxes[1]!.length === 1,
      "honest request at the honest peers",
    );
    assert.equal(
      honest.every((h) => h.penalties.score(honest[2]!.identity.peerId.toString()) === 0),
      true,
    );
  });
});

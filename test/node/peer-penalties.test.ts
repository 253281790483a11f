import assert from "node:assert/strict";
import { PeerPenalties } from "../../node/network/peer-penalties.js";
import { HEARTBEAT_TOPIC, LOG_TOPIC, marketTopic, parseTopic } from "../../node/network/topics.js";

describe("node/network peer penalties and topics", () => {
  it("each REJECT lowers the score by the penalty and the penalty decays with time", () => {
    let now = 0;
    const p = new PeerPenalties({ rejectPenalty: 10, decayPerSecond: 0.5 }, () => now);
    assert.equal(p.score("a"), 0);
    p.reject("a");
    p.reject("a");
    assert.equal(p.score("a"), -20);
    assert.equal(p.rejects("a"), 2);
    assert.equal(p.score("b"), 0, "other peers are untouched");
    now = 1000;
    assert.equal(p.score("a"), -10, "half the penalty is left after a second at decay 0.5");
    now = 20_000;
    assert.equal(p.score("a"), 0, "a peer that stops misbehaving recovers");
    assert.equal(p.size, 0, "and is forgotten");
  });

  it("topics parse back to their kind and market; foreign topics do not", () => {
    const cases: [string, ReturnType<typeof parseTopic>][] = [
      [marketTopic(7, "requests"), { kind: "requests", marketId: 7 }],
      [marketTopic(0, "quotes"), { kind: "quotes", marketId: 0 }],
      [marketTopic(123456, "proofs"), { kind: "proofs", marketId: 123456 }],
      [LOG_TOPIC, { kind: "log" }],
      [HEARTBEAT_TOPIC, { kind: "heartbeat" }],
      ["/kalypso/2/log", undefined],
      ["/kalypso/1/07/requests", undefined],
      ["/kalypso/1/7/bids", undefined],
      ["/kalypso/1/99999999999999999/requests", undefined],
    ];
    for (const [topic, expected] of cases) assert.deepEqual(parseTopic(topic), expected, topic);
  });
});

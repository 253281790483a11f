import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KalypsoNode, type KalypsoNodeInit } from "../../node/kalypso-node.js";
import { EMPTY_TIP, extendLog } from "../../node/log-chain.js";
import { topicsOf } from "../../node/network/topics.js";
import {
  assignmentsHash,
  type BatchHeader,
  batchHeaderHash,
  eventsHash,
  type Hex32,
  quoteId,
  requestId,
  type SignedBatch,
  signBatchHeader,
  signQuote,
  signRequest,
  toHex,
  validateBatch,
  ZERO_HASH,
} from "../../protocol/index.js";
import { waitFor } from "../helpers/wait.js";
import {
  context,
  INPUTS,
  MARKET_DOMAIN,
  MARKETS,
  MATCHER_DOMAIN,
  MATCHER_KEY,
  NOW,
  PROVER_KEY,
  REQUESTER_KEY,
  sampleQuote,
  sampleRequest,
} from "../protocol/samples.js";

/** A hash-chained log of `n` empty batches signed by the test matcher key. */
function batchChain(n: number): SignedBatch[] {
  const out: SignedBatch[] = [];
  let prevHash: Hex32 = ZERO_HASH;
  for (let seq = 0; seq < n; seq++) {
    const header: BatchHeader = {
      term: 1,
      seq,
      prevHash,
      time: NOW - 100 + seq,
      eventsHash: toHex(eventsHash([])) as Hex32,
      assignmentsHash: toHex(assignmentsHash([])) as Hex32,
      stateDigest: ZERO_HASH,
    };
    out.push({
      header,
      signature: signBatchHeader(MATCHER_DOMAIN, header, MATCHER_KEY),
      events: [],
      assignments: [],
    });
    prevHash = batchHeaderHash(MATCHER_DOMAIN, header);
  }
  return out;
}

describe("node/kalypso-node (real libp2p, LevelDB on disk)", function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const nodes: KalypsoNode[] = [];

  async function start(
    dataDir?: string,
    bootstrap: KalypsoNode[] = [],
    over: Partial<KalypsoNodeInit> = {},
  ): Promise<KalypsoNode> {
    const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "kalypso-node-")));
    if (!dataDir) dirs.push(dir);
    const init: KalypsoNodeInit = {
      dataDir: dir,
      domains: { market: MARKET_DOMAIN, matcher: MATCHER_DOMAIN },
      network: { localNetwork: true, bootstrap: bootstrap.map((b) => b.host.getMultiaddrs()[0]!.toString()) },
      markets: MARKETS,
      clock: () => NOW,
      ...over,
    };
    const node = await KalypsoNode.start(init);
    nodes.push(node);
    return node;
  }

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it("a node killed and restarted from its store keeps its identity, requests and quotes", async () => {
    const a = await start();
    const b = await start(undefined, [a]);
    await waitFor(
      () =>
        b.gossip.peers("/kalypso/1/1/requests").length > 0 &&
        a.gossip.peers("/kalypso/1/1/quotes").length > 0,
      "subscriptions",
    );
    await b.publish({
      type: "request",
      body: signRequest(MARKET_DOMAIN, sampleRequest(), REQUESTER_KEY, { inputs: INPUTS }),
    });
    await b.publish({ type: "quote", body: signQuote(MARKET_DOMAIN, sampleQuote(), PROVER_KEY) });
    const rid = requestId(MARKET_DOMAIN, sampleRequest());
    const qid = quoteId(MARKET_DOMAIN, sampleQuote());
    await waitFor(
      () => a.pool.requests.has(rid) && a.pool.quotes.has(qid),
      "the request and quote at node a",
    );
    await a.flushed();
    const metrics = await a.metrics.registry.metrics();
    assert.match(metrics, /kalypso_requests\{state="pooled"\} 1\n/, "pooled requests in /metrics");
    assert.match(metrics, /kalypso_requests\{state="quote"\} 1\n/, "live quotes in /metrics");
    assert.match(metrics, /kalypso_store_write_queue 0\n/, "nothing left to write once flushed");
    const dir = dirs[0]!;
    const peerId = a.identity.peerId.toString();
    await a.stop();

    const again = await start(dir);
    assert.equal(again.identity.peerId.toString(), peerId, "same key, same peer id");
    assert.deepEqual(again.pool.requests.get(rid)?.request, sampleRequest());
    assert.deepEqual(again.pool.quotes.get(qid)?.quote, sampleQuote());
    assert.deepEqual(await again.store.getInput(sampleRequest().inputsHash), INPUTS, "inputs kept by hash");
  });

  it("a prover's node takes only the request topic of a market and no heartbeats; a matcher's everything", async () => {
    const prover = await start(undefined, [], { topics: topicsOf("prover") });
    const matcher = await start(undefined, [prover], { topics: topicsOf("matcher") });
    const topics = (n: KalypsoNode) =>
      n.host.services.pubsub
        .getTopics()
        .filter((t) => t.startsWith("/kalypso/1/1/"))
        .sort();
    assert.deepEqual(topics(prover), ["/kalypso/1/1/requests"]);
    assert.deepEqual(topics(matcher), [
      "/kalypso/1/1/proofs",
      "/kalypso/1/1/quotes",
      "/kalypso/1/1/requests",
    ]);
    const subscribed = (n: KalypsoNode) => n.host.services.pubsub.getTopics();
    assert.ok(!subscribed(prover).includes("/kalypso/1/heartbeat"), "a prover does not take heartbeats");
    assert.ok(subscribed(matcher).includes("/kalypso/1/heartbeat"), "a matcher does");
    assert.ok(subscribed(prover).includes("/kalypso/1/log"), "every node follows the log");
    // A quote published by the prover (not subscribed to quotes) still reaches the matcher.
    await waitFor(() => prover.gossip.peers("/kalypso/1/1/quotes").length > 0, "the matcher's subscription");
    await prover.publish({ type: "quote", body: signQuote(MARKET_DOMAIN, sampleQuote(), PROVER_KEY) });
    const qid = quoteId(MARKET_DOMAIN, sampleQuote());
    await waitFor(() => matcher.pool.quotes.has(qid), "the quote at the matcher");
  });

  it("a prover given the markets it proves takes the requests of those only", async () => {
    // Started following markets 1 and 2 (their rules); it proves 2.
    const prover = await start(undefined, [], { topics: topicsOf("prover", [2]) });
    const requestTopics = prover.host.services.pubsub.getTopics().filter((t) => t.endsWith("/requests"));
    assert.deepEqual(requestTopics, ["/kalypso/1/2/requests"], "market 1's requests not taken");
    const everything = await start(undefined, [], { topics: topicsOf("prover") });
    assert.deepEqual(
      everything.host.services.pubsub
        .getTopics()
        .filter((t) => t.endsWith("/requests"))
        .sort(),
      ["/kalypso/1/1/requests", "/kalypso/1/2/requests"],
      "without markets named, every market's requests",
    );
  });

  it("a blocked peer is hung up on and refused both ways until unblocked", async () => {
    const a = await start();
    const b = await start(undefined, [a]);
    const aId = a.identity.peerId.toString();
    const bId = b.identity.peerId.toString();
    await waitFor(() => a.host.getConnections(b.identity.peerId).length > 0, "b connected to a");
    await a.blockPeer(bId);
    await waitFor(() => a.host.getConnections(b.identity.peerId).length === 0, "a hung up on b");
    await assert.rejects(a.host.dial(b.identity.peerId), "a may not dial b");
    // An inbound connection is gated once encrypted: b's dial may look fine to b, but a drops it.
    await b.host.dial(a.host.getMultiaddrs()[0]!).catch(() => undefined);
    await waitFor(
      () =>
        a.host.getConnections(b.identity.peerId).length === 0 &&
        b.host.getConnections(a.identity.peerId).length === 0,
      "b's connection refused by a",
    );
    a.unblockPeer(bId);
    await b.host.dial(a.host.getMultiaddrs()[0]!);
    await waitFor(() => a.host.getConnections(b.identity.peerId).length > 0, "connected again");
    assert.equal(b.blocklist.has(aId), false, "b never blocked a");
  });

  it("a request gossip never brought is pooled from the log, by the nodes that take its market", async () => {
    const prover = await start(undefined, [], { topics: topicsOf("prover", [1]) });
    const other = await start(undefined, [prover], { topics: topicsOf("prover", [2]) });
    const leader = await start(undefined, [prover, other], { topics: topicsOf("matcher") });
    await waitFor(
      () => leader.gossip.peers("/kalypso/1/log").length >= 2,
      "the log subscriptions of both provers",
    );
    const signed = signRequest(MARKET_DOMAIN, sampleRequest(), REQUESTER_KEY);
    const events = [
      { kind: "request" as const, signed: { ...signed, inputs: new Uint8Array(), secret: new Uint8Array() } },
    ];
    const [first] = batchChain(1);
    const header = { ...first!.header, eventsHash: toHex(eventsHash(events)) as Hex32 };
    const batch = {
      header,
      signature: signBatchHeader(MATCHER_DOMAIN, header, MATCHER_KEY),
      events,
      assignments: [],
    };
    await leader.publish({ type: "batch", body: batch });
    const rid = requestId(MARKET_DOMAIN, sampleRequest());
    await waitFor(() => prover.logSeq === 0 && other.logSeq === 0, "the batch at both provers");
    assert.deepEqual(prover.pool.requests.get(rid)?.request, sampleRequest(), "market 1's prover pooled it");
    await prover.flushed();
    assert.deepEqual((await prover.store.getRequest(rid))?.request, sampleRequest(), "and stored it");
    assert.equal(other.pool.requests.has(rid), false, "market 2's prover did not");
  });

  it("a node that joins late catches up on the log via sync and checks the chain", async () => {
    const a = await start();
    const b = await start(undefined, [a]);
    await waitFor(() => b.gossip.peers("/kalypso/1/log").length > 0, "log topic subscription");
    const chain = batchChain(30);
    for (const batch of chain) await b.publish({ type: "batch", body: batch });
    await waitFor(() => a.logSeq === 29, "node a to hold 30 batches");
    await a.flushed();

    const late = await start(undefined, [a]);
    const added = await late.syncLog(a.identity.peerId);
    assert.equal(added, 30);
    assert.equal(late.logSeq, 29);
    assert.deepEqual(await late.store.getBatch(17), chain[17]);
    assert.equal(await late.store.lastSeq(), 29);
  });
});

describe("node/log-chain", () => {
  it("extends only with the next, hash-chained, body-bound batch", () => {
    const chain = batchChain(3);
    const ctx = context();
    const tip1 = extendLog(ctx, MATCHER_DOMAIN, EMPTY_TIP, chain[0]!);
    assert.equal(tip1.seq, 0);
    assert.throws(() => extendLog(ctx, MATCHER_DOMAIN, tip1, chain[2]!), /does not follow 0/, "a gap");
    assert.throws(() => extendLog(ctx, MATCHER_DOMAIN, EMPTY_TIP, chain[1]!), /does not follow -1/);
    const forked = { ...chain[1]!, header: { ...chain[1]!.header, prevHash: chain[1]!.header.eventsHash } };
    assert.throws(() => extendLog(ctx, MATCHER_DOMAIN, tip1, forked), /is not the previous header/, "a fork");
    const tip2 = extendLog(ctx, MATCHER_DOMAIN, tip1, chain[1]!);
    assert.equal(tip2.hash, batchHeaderHash(MATCHER_DOMAIN, chain[1]!.header));
  });

  it("takes the id validation gave a batch as its hash, and still refuses gaps and forks", () => {
    const chain = batchChain(3);
    const ctx = context();
    const ids = chain.map((b) => validateBatch(ctx, b).id);
    const tip1 = extendLog(ctx, MATCHER_DOMAIN, EMPTY_TIP, chain[0]!, ids[0]);
    assert.deepEqual(tip1, extendLog(ctx, MATCHER_DOMAIN, EMPTY_TIP, chain[0]!), "same tip either way");
    assert.throws(
      () => extendLog(ctx, MATCHER_DOMAIN, tip1, chain[2]!, ids[2]),
      /does not follow 0/,
      "a gap",
    );
    const forked = { ...chain[1]!, header: { ...chain[1]!.header, prevHash: chain[1]!.header.eventsHash } };
    assert.throws(() => extendLog(ctx, MATCHER_DOMAIN, tip1, forked, ids[1]), /is not the previous header/);
    assert.equal(
      extendLog(ctx, MATCHER_DOMAIN, tip1, chain[1]!, ids[1]).hash,
      batchHeaderHash(MATCHER_DOMAIN, chain[1]!.header),
    );
  });
});

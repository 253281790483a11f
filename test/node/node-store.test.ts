import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeStore } from "../../node/store/node-store.js";
import {
  type Hex32,
  quoteId,
  requestId,
  type SignedBatch,
  signQuote,
  signRequest,
  ZERO_HASH,
} from "../../protocol/index.js";
import {
  INPUTS,
  MARKET_DOMAIN,
  PROVER,
  PROVER_KEY,
  REQUESTER_KEY,
  sampleQuote,
  sampleRequest,
} from "../protocol/samples.js";

function batch(seq: number, requestIds: Hex32[]): SignedBatch {
  return {
    header: {
      term: 1,
      seq,
      prevHash: ZERO_HASH,
      time: 1000 + seq,
      eventsHash: ZERO_HASH,
      assignmentsHash: ZERO_HASH,
      stateDigest: ZERO_HASH,
    },
    signature: `0x${"00".repeat(65)}`,
    events: [],
    assignments: requestIds.map((r, i) => ({
      requestId: r,
      quoteId: ZERO_HASH,
      prover: PROVER,
      price: 10n ** 18n + BigInt(i),
      provingTime: 60 + i,
    })),
  };
}

describe("node/store (LevelDB on disk)", () => {
  let dir: string;
  let store: NodeStore | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kalypso-store-"));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps requests, inputs, quotes, the log, assignments, proofs and cursors across a restart", async () => {
    store = await NodeStore.open(dir);
    const r = sampleRequest();
    const rid = requestId(MARKET_DOMAIN, r);
    await store.putRequest(rid, signRequest(MARKET_DOMAIN, r, REQUESTER_KEY, { inputs: INPUTS }));
    const q = sampleQuote();
    const qid = quoteId(MARKET_DOMAIN, q);
    await store.putQuote(qid, signQuote(MARKET_DOMAIN, q, PROVER_KEY));
    for (let seq = 0; seq < 300; seq++) await store.appendBatch(batch(seq, seq === 7 ? [rid] : []));
    await store.putProof(rid, Uint8Array.of(1, 2, 3));
    await store.setCursor("marketplace", 12_345);
    await store.close();

    store = await NodeStore.open(dir);
    const got = await store.getRequest(rid);
    assert.deepEqual(got?.request, r);
    assert.equal(got?.inputs.length, 0, "inline inputs are stored apart, by hash");
    assert.deepEqual(await store.getInput(r.inputsHash), INPUTS);
    const quotes = [];
    for await (const x of store.listQuotes()) quotes.push(x);
    assert.deepEqual(
      quotes.map((x) => x.id),
      [qid],
    );
    assert.equal(await store.lastSeq(), 299);
    const seqs: number[] = [];
    for await (const b of store.batchesFrom(250, 10)) seqs.push(b.header.seq);
    assert.deepEqual(
      seqs,
      [250, 251, 252, 253, 254, 255, 256, 257, 258, 259],
      "big-endian keys scan in order",
    );
    assert.deepEqual(await store.getAssignment(rid), batch(7, [rid]).assignments[0]);
    assert.deepEqual(await store.getProof(rid), Uint8Array.of(1, 2, 3));
    assert.equal(await store.getCursor("marketplace"), 12_345);
    assert.equal(await store.getCursor("registry"), undefined);
  });

  it("an empty log has lastSeq -1 and a closed store refuses with STORE_CLOSED", async () => {
    store = await NodeStore.open(dir);
    assert.equal(await store.lastSeq(), -1);
    await store.close();
    await assert.rejects(store.lastSeq(), { code: "STORE_CLOSED" });
  });
});

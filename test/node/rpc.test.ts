import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RpcClient } from "../../node/network/rpc/rpc-client.js";
import { type RpcDataSource, RpcServer } from "../../node/network/rpc/rpc-server.js";
import { NodeStore } from "../../node/store/node-store.js";
import { type Hex32, keccak, type SignedBatch, toHex, ZERO_HASH } from "../../protocol/index.js";
import { waitFor } from "../helpers/wait.js";
import { startPeer, stopAll, type TestPeer } from "./network-harness.js";

function batch(seq: number): SignedBatch {
  const h = toHex(keccak(Uint8Array.of(seq))) as Hex32;
  return {
    header: {
      term: 1,
      seq,
      prevHash: ZERO_HASH,
      time: seq,
      eventsHash: h,
      assignmentsHash: h,
      stateDigest: h,
    },
    signature: `0x${"00".repeat(65)}`,
    events: [],
    assignments: [],
  };
}

describe("node/network request/response protocols (real libp2p)", function () {
  this.timeout(30_000);
  let peers: TestPeer[] = [];
  let server: RpcServer | undefined;
  let store: NodeStore | undefined;
  let dir = "";

  async function connect(
    data: RpcDataSource,
    limits = {},
  ): Promise<{ client: RpcClient; a: TestPeer; b: TestPeer }> {
    const a = await startPeer({ dht: false });
    const b = await startPeer({ dht: false });
    peers = [a, b];
    server = new RpcServer({ host: a.host, data }, limits);
    await server.start();
    await b.host.dial(a.host.getMultiaddrs()[0]!);
    await waitFor(() => b.host.getConnections(a.identity.peerId).length > 0, "a connection");
    return { client: new RpcClient({ host: b.host, penalties: b.penalties }), a, b };
  }

  afterEach(async () => {
    await server?.stop();
    await stopAll(peers);
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    peers = [];
    server = undefined;
    store = undefined;
    dir = "";
  });

  async function storeWith(batches: number, inputs: Uint8Array): Promise<NodeStore> {
    dir = await mkdtemp(join(tmpdir(), "kalypso-rpc-"));
    store = await NodeStore.open(dir);
    for (let i = 0; i < batches; i++) await store.appendBatch(batch(i));
    await store.putInput(toHex(keccak(inputs)) as Hex32, inputs);
    return store;
  }

  function source(s: NodeStore): RpcDataSource {
    return {
      getInput: (h) => s.getInput(h),
      batchesFrom: (seq, limit) => s.batchesFrom(seq, limit),
      status: async () => ({ lastSeq: await s.lastSeq(), role: "observer" }),
    };
  }

  it("fetches inputs by hash, syncs the log from a sequence number, and reads status", async () => {
    const inputs = new Uint8Array(200_000).map((_, i) => i % 251);
    const s = await storeWith(40, inputs);
    const { client, a } = await connect(source(s));
    const hash = toHex(keccak(inputs)) as Hex32;
    assert.deepEqual(await client.fetchInputs(a.identity.peerId, hash), inputs);
    const synced = await client.syncLog(a.identity.peerId, 25, 10);
    assert.deepEqual(
      synced.map((b) => b.header.seq),
      [25, 26, 27, 28, 29, 30, 31, 32, 33, 34],
    );
    assert.deepEqual(synced[0], batch(25));
    assert.equal((await client.syncLog(a.identity.peerId, 40)).length, 0, "nothing past the end");
    assert.deepEqual(await client.status(a.identity.peerId), { lastSeq: 39, role: "observer" });
    await assert.rejects(client.fetchInputs(a.identity.peerId, ZERO_HASH), { code: "RPC_NOT_FOUND" });
  });

  it("a peer that answers with other bytes than asked is penalised", async () => {
    const liar: RpcDataSource = {
      getInput: async () => Uint8Array.of(1, 2, 3),
      batchesFrom: async function* () {},
      status: async () => ({}),
    };
    const { client, a, b } = await connect(liar);
    const hash = toHex(keccak(Uint8Array.of(9))) as Hex32;
    await assert.rejects(client.fetchInputs(a.identity.peerId, hash), { code: "RPC_FAILED" });
    assert.equal(b.penalties.rejects(a.identity.peerId.toString()), 1);
  });

  it("a peer over its rate is refused with RPC_RATE_LIMITED", async () => {
    const s = await storeWith(1, Uint8Array.of(1));
    const { client, a } = await connect(source(s), { ratePerSecond: 0.001, burst: 3 });
    for (let i = 0; i < 3; i++) await client.status(a.identity.peerId);
    await assert.rejects(client.status(a.identity.peerId), { code: "RPC_RATE_LIMITED" });
  });
});

/** The node's chain watcher: handlers by event name, and by an indexed argument. */
import { strict as assert } from "node:assert";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zeroPadValue } from "ethers";
import type { ChainEvent } from "../../chain/index.js";
import { ChainWatcher } from "../../node/chain/chain-watcher.js";
import { NodeStore } from "../../node/store/node-store.js";
import { assignOne, fund, setupWorld, type World } from "../chain/fixture.js";

describe("node: chain watcher", () => {
  let w: World;
  let dir: string;
  let store: NodeStore;
  before(async () => {
    w = await setupWorld();
  });
  after(async () => {
    await w?.chain.stop();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kalypso-watcher-"));
    store = await NodeStore.open(dir);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives each handler the events of its name, and only those matching its indexed argument", async () => {
    await fund(w);
    const rec = await assignOne(w);
    const watcher = new ChainWatcher(
      {
        provider: w.chain.provider,
        store,
        contracts: [
          { label: "marketplace", address: w.d.marketplace.address, abi: w.d.artifacts.Marketplace!.abi },
        ],
      },
      { confirmations: 0, fromBlock: 0 },
    );
    const mine: ChainEvent[] = [];
    const others: ChainEvent[] = [];
    const all: ChainEvent[] = [];
    watcher.on("RequestAssigned", (e) => void mine.push(e), { topic: 2, is: zeroPadValue(rec.prover, 32) });
    const stranger = zeroPadValue("0x00000000000000000000000000000000000000aa", 32);
    watcher.on("RequestAssigned", (e) => void others.push(e), { topic: 2, is: stranger });
    watcher.on("RequestAssigned", (e) => void all.push(e));
    await watcher.poll();
    assert.equal(all.length, 1, "the unfiltered handler sees the assignment");
    assert.equal(mine.length, 1, "so does the one asking for its prover");
    assert.equal(String(mine[0]!.args.requestId), rec.requestId);
    assert.equal(String(mine[0]!.args.prover).toLowerCase(), rec.prover);
    assert.deepEqual(others, [], "a handler for another prover sees nothing");
  });
});

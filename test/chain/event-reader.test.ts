/** The event reader: confirmations, ranges, and a file cursor that survives a restart. */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ChainEvent,
  ChainEventReader,
  type CursorStore,
  FileCursorStore,
  MemoryCursorStore,
} from "../../chain/index.js";
import { ACCEPT, assignOne, fund, INPUTS, setupWorld, type World } from "./fixture.js";

describe("chain: event reader", () => {
  let w: World;
  let snap: string;
  let dir: string;
  before(async () => {
    w = await setupWorld();
  });
  after(async () => {
    await w?.chain.stop();
  });
  beforeEach(async () => {
    snap = await w.chain.snapshot();
    dir = mkdtempSync(join(tmpdir(), "kalypso-cursor-"));
  });
  afterEach(async () => {
    await w.chain.revert(snap);
    rmSync(dir, { recursive: true, force: true });
  });

  function reader(
    cursor: CursorStore,
    confirmations: number,
    maxBlockRange = 2000,
    events?: () => { has(name: string): boolean },
  ) {
    return new ChainEventReader(
      {
        provider: w.chain.provider,
        cursor,
        events,
        contracts: [
          {
            label: "marketplace",
            address: w.d.marketplace.address,
            abi: w.d.artifacts.Marketplace!.abi as never,
          },
          {
            label: "registry",
            address: w.d.registry.address,
            abi: w.d.artifacts.MatcherRegistry!.abi as never,
          },
        ],
      },
      { confirmations, fromBlock: 0, maxBlockRange },
    );
  }

  it("fetches only the events named as wanted, asked again at each poll; the cursor moves either way", async () => {
    const wanted = new Set(["Deposited", "LeaseClaimed"]);
    const all: ChainEvent[] = [];
    const some: ChainEvent[] = [];
    const none = reader(new MemoryCursorStore(), 0, 2000, () => new Set<string>());
    const filtered = reader(new MemoryCursorStore(), 0, 2000, () => wanted);
    await fund(w);
    await assignOne(w);
    const head = await w.chain.provider.getBlockNumber();
    await reader(new MemoryCursorStore(), 0).poll(async (events) => void all.push(...events));
    assert.equal(await filtered.poll(async (events) => void some.push(...events)), head);
    const key = (e: ChainEvent) => `${e.transactionHash}/${e.logIndex}`;
    const expected = all.filter((e) => wanted.has(e.name));
    assert.ok(expected.length >= 2 && expected.length < all.length, "the chain carries others too");
    assert.deepEqual(some.map(key), expected.map(key), "exactly the wanted ones, in chain order");
    assert.deepEqual(some, expected, "decoded alike");
    assert.equal(await none.poll(async (events) => assert.deepEqual(events, [])), head, "nothing wanted");
    wanted.add("RequestAssigned");
    await (await w.market("prover")).fulfil({
      record: await assignOne(w),
      publicInputs: INPUTS,
      proof: ACCEPT,
    });
    const later: ChainEvent[] = [];
    await filtered.poll(async (events) => void later.push(...events));
    assert.ok(
      later.some((e) => e.name === "RequestAssigned"),
      "a name added later is read from then on",
    );
    assert.ok(!later.some((e) => e.name === "RequestFulfilled"), "an unwanted one is not");
  });

  it("delivers every event once, in chain order, only when confirmed", async () => {
    const seen: ChainEvent[] = [];
    const r = reader(new MemoryCursorStore(), 2, 3);
    await fund(w);
    const rec = await assignOne(w);
    await (await w.market("prover")).fulfil({ record: rec, publicInputs: INPUTS, proof: ACCEPT });
    const head = await w.chain.provider.getBlockNumber();
    const cursor = await r.poll(async (events) => {
      seen.push(...events);
    });
    assert.equal(cursor, head - 2, "stops `confirmations` blocks below the head");
    assert.ok(!seen.some((e) => e.name === "RequestFulfilled"), "the fulfil is not confirmed yet");
    const names = seen.map((e) => e.name);
    for (const n of [
      "MatcherRegistered",
      "LeaseClaimed",
      "MarketCreated",
      "Deposited",
      "CollateralDeposited",
    ]) {
      assert.ok(names.includes(n), `${n} delivered`);
    }
    await w.chain.mine();
    await w.chain.mine();
    await r.poll(async (events) => {
      seen.push(...events);
    });
    const fulfilled = seen.filter((e) => e.name === "RequestFulfilled");
    assert.equal(fulfilled.length, 1);
    assert.equal(fulfilled[0]!.args.requestId, rec.requestId);
    assert.equal(
      new Set(seen.map((e) => `${e.transactionHash}:${e.logIndex}`)).size,
      seen.length,
      "no duplicates",
    );
    const order = seen.map((e) => e.blockNumber * 1000 + e.logIndex);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      "chain order",
    );
  });

  it("resumes after a restart from the file cursor, without repeating handled ranges", async () => {
    const path = join(dir, "cursor.json");
    const first: ChainEvent[] = [];
    await reader(new FileCursorStore(path), 0).poll(async (events) => {
      first.push(...events);
    });
    assert.ok(first.length > 0);
    await fund(w);
    const second: ChainEvent[] = [];
    await reader(new FileCursorStore(path), 0).poll(async (events) => {
      second.push(...events);
    });
    assert.deepEqual(
      second.map((e) => e.name),
      ["Deposited", "CollateralDeposited"],
      "only what happened after the restart",
    );
  });

  it("a handler that fails leaves the cursor where it was: the range is delivered again", async () => {
    const store = new MemoryCursorStore();
    const r = reader(store, 0);
    await assert.rejects(
      r.poll(async () => {
        throw new Error("disk full");
      }),
      /disk full/,
    );
    assert.equal(await store.load(), undefined);
    let count = 0;
    await r.poll(async (events) => {
      count += events.length;
    });
    assert.ok(count > 0);
  });

  it("start follows the chain until stop", async () => {
    const seen: ChainEvent[] = [];
    const r = new ChainEventReader(
      {
        provider: w.chain.provider,
        cursor: new MemoryCursorStore(await w.chain.provider.getBlockNumber()),
        contracts: [
          {
            label: "marketplace",
            address: w.d.marketplace.address,
            abi: w.d.artifacts.Marketplace!.abi as never,
          },
        ],
      },
      { confirmations: 0, pollIntervalMs: 10 },
    );
    r.start(async (events) => {
      seen.push(...events);
    });
    try {
      await (await w.market("requester")).deposit(5n);
      const deadline = Date.now() + 5000;
      while (!seen.some((e) => e.name === "Deposited") && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 10));
      }
      assert.equal(seen.find((e) => e.name === "Deposited")?.args.amount, 5n, "Deposited seen within 5 s");
    } finally {
      await r.stop();
    }
    await r.stop();
  });
});

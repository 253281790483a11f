import assert from "node:assert/strict";
import type { Address, Hex32 } from "../../protocol/bytes.js";
import { RequestStore } from "../../protocol/matching/request-store.js";
import { requestView } from "../../protocol/matching/request-views.js";
import { REQUEST_STATUS } from "../../protocol/matching/types.js";
import { T0, World } from "./matching-world.js";

const hex32 = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex32;
const REQUESTER = `0x${"a1".repeat(20)}` as Address;

function add(rows: RequestStore, n: number): number {
  return rows.add(
    hex32(n),
    n % 7,
    REQUESTER,
    BigInt(n) * 3n,
    T0 + n,
    n % 600,
    2 ** 40 + n,
    n ^ 0x5a5a,
    n * 3,
    0,
  );
}

describe("protocol/matching: request rows", () => {
  it("rows across several pages keep each request's fields", () => {
    const rows = new RequestStore();
    // Past three page boundaries (4096 rows a page).
    const hs = Array.from({ length: 13_000 }, (_, n) => add(rows, n));
    for (const n of [0, 4095, 4096, 8191, 8192, 12_999]) {
      const h = hs[n]!;
      const v = requestView(rows, h);
      assert.deepEqual(
        [v.id, v.marketId, v.maxPrice, v.assignBy, v.provingTime, v.seq, rows.w0(h), rows.w1(h)],
        [hex32(n), n % 7, BigInt(n) * 3n, T0 + n, n % 600, 2 ** 40 + n, n ^ 0x5a5a, n * 3],
        `row of request ${n}`,
      );
      assert.equal(rows.isLive(h), true);
      assert.equal(rows.hasAssignment(h), false);
    }
  });

  it("a released row is taken by the next request, clean", () => {
    const rows = new RequestStore();
    const hs = Array.from({ length: 5000 }, (_, n) => add(rows, n));
    rows.setAnchored(hs[4500]!, true);
    rows.setLive(hs[4500]!, false);
    rows.release(hs[4500]!);
    const again = add(rows, 9999);
    assert.equal(again, hs[4500], "the freed row is reused");
    assert.equal(rows.capacity, 5000, "no row added");
    assert.equal(requestView(rows, again).id, hex32(9999));
    assert.equal(rows.isLive(again), true);
    assert.equal(rows.anchored(again), false, "no flag of the row's last request is left");
  });
});

describe("protocol/matching: rows of requests forgotten in a batch", () => {
  it("are not reused before the batch commits, and a rollback brings the requests back", () => {
    const w = new World();
    const gone = [1, 2, 3].map(() => w.request({ maxPrice: 1n, assignBy: T0 + 10 }).id);
    const digest = [w.e.digest.l0, w.e.digest.l1];
    w.e.begin();
    // Past their assign-by: forgotten; then new requests arrive in the same batch.
    w.e.advance(T0 + 10);
    assert.equal(w.e.requests.has(gone[0]!), false, "forgotten in the batch");
    const fresh = [1, 2, 3].map(() => w.request({ maxPrice: 1n, assignBy: T0 + 100 }).id);
    assert.equal(w.e.requestRows.capacity, 6, "the new requests took new rows");
    w.e.rollback();
    assert.deepEqual([w.e.digest.l0, w.e.digest.l1], digest, "the state as before the batch");
    for (const id of gone)
      assert.equal(w.e.requests.get(id)?.status, REQUEST_STATUS.waiting, `${id} is back`);
    for (const id of fresh) assert.equal(w.e.requests.has(id), false, `${id} is rolled back`);
    assert.deepEqual(
      [...w.e.markets.get(1)!.book.waiting()].map((r) => r.id),
      gone,
      "waiting again, in order",
    );
    // Committed, the rows are free: the next requests take them.
    w.e.begin();
    w.e.advance(T0 + 10);
    w.e.commit();
    [1, 2, 3].map(() => w.request({ maxPrice: 1n, assignBy: T0 + 100 }));
    assert.equal(w.e.requestRows.capacity, 6, "the rows given back at commit were reused");
  });
});

describe("protocol/matching: market ids past 32 bits in request rows", () => {
  it("a request in market 2^31 or 2^32 + 1 is cancelled, assigned and forgotten in its own market", () => {
    for (const big of [2 ** 31, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER]) {
      const w = new World();
      w.market({ marketId: big });
      const other = w.request({ maxPrice: 1n }).id;
      const cancelled = w.request({ marketId: big, maxPrice: 1n }).id;
      const waiting = w.request({ marketId: big, maxPrice: 1n, assignBy: T0 + 10 }).id;
      assert.equal(w.e.requests.get(cancelled)?.marketId, big, "the view names its market");
      assert.equal(w.cancel(cancelled), "cancelled");
      const waitingIn = (m: number) => [...w.e.markets.get(m)!.book.waiting()].map((r) => r.id);
      assert.deepEqual(waitingIn(1), [other], `market 1 untouched (market ${big})`);
      assert.deepEqual(waitingIn(big), [waiting]);
      w.quote("p", { marketId: big, price: 1n });
      assert.equal(w.e.assignment(waiting)?.request.marketId, big, "matched in its market");
      w.settle(waiting);
      w.e.advance(T0 + 10);
      assert.equal(w.e.requests.has(waiting), false, "forgotten past assign-by");
      assert.deepEqual(waitingIn(1), [other]);
    }
  });
});

import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { type DevSystem, INPUTS, startDevSystem } from "../../../chain/index.js";
import type { KalypsoNode } from "../../../node/kalypso-node.js";
import { Requester, type RequestProgress } from "../../../node/roles/requester.js";
import { RequesterError } from "../../../node/roles/requester-errors.js";
import { startRoleNode, tempDir } from "./helpers-system.js";

describe("node/roles/requester without a prover (anvil, libp2p, LevelDB)", function () {
  this.timeout(60_000);
  let sys: DevSystem;
  let dir: string;
  let node: KalypsoNode;
  let requester: Requester;

  before(async () => {
    sys = await startDevSystem({ idleMineIntervalMs: 0 });
    dir = await tempDir();
    node = await startRoleNode(sys, dir);
    requester = new Requester(
      { node, marketplace: await sys.market("requester"), key: sys.keys.requester },
      { peerWaitMs: 0 },
    );
    await requester.start();
  });
  after(async () => {
    await requester?.stop();
    await node?.stop();
    await sys?.chain.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const params = { publicInputs: INPUTS, maxPrice: 10n ** 15n, provingTime: 60, assignWithinS: 30 };

  it("a request nobody takes before assign-by ends UNASSIGNED, and the deposit is untouched", async () => {
    const kinds: RequestProgress["kind"][] = [];
    const pending = requester.requestProof(
      { marketId: sys.marketId, ...params },
      { onProgress: (p) => kinds.push(p.kind) },
    );
    pending.catch(() => {}); // awaited below
    await new Promise<void>((resolve) =>
      requester.addEventListener("published", () => resolve(), { once: true }),
    );
    const deposit = await sys.d.marketplace.balanceOf(sys.addr.requester);
    assert.equal(deposit, params.maxPrice, "the requester deposited what the request may cost");
    await sys.chain.increaseTime(params.assignWithinS + 1);
    const outcome = await pending;
    assert.equal(outcome.code, "UNASSIGNED");
    assert.deepEqual(kinds, ["published", "unassigned"]);
    assert.equal(await sys.d.marketplace.balanceOf(sys.addr.requester), deposit, "nothing was escrowed");
  });

  it("bad parameters, an unknown market and an abort are coded errors", async () => {
    const cases: [string, () => Promise<unknown>, string][] = [
      [
        "zero maxPrice",
        () => requester.requestProof({ marketId: sys.marketId, ...params, maxPrice: 0n }),
        "REQUEST_BAD_PARAMS",
      ],
      [
        "no inputs",
        () => requester.requestProof({ marketId: sys.marketId, ...params, publicInputs: new Uint8Array(0) }),
        "REQUEST_BAD_PARAMS",
      ],
      ["unknown market", () => requester.requestProof({ marketId: 99, ...params }), "REQUEST_UNKNOWN_MARKET"],
      [
        "aborted while waiting",
        () => {
          const controller = new AbortController();
          requester.addEventListener("published", () => controller.abort(), { once: true });
          return requester.requestProof({ marketId: sys.marketId, ...params }, { signal: controller.signal });
        },
        "REQUEST_ABORTED",
      ],
    ];
    for (const [what, call, code] of cases) {
      await assert.rejects(call(), (e: unknown) => e instanceof RequesterError && e.code === code, what);
    }
  });
});

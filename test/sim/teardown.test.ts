import assert from "node:assert/strict";
import { createLogger } from "../../node/logger.js";
import { Teardown } from "../../sim/network.js";

describe("sim teardown", () => {
  it("runs every step last-first; a failing or stuck step is passed over and a stuck one reported", async () => {
    const t = new Teardown(createLogger({ level: "silent", name: "test" }), 50);
    const ran: string[] = [];
    t.push(async () => void ran.push("chain"), "the chain");
    t.push(() => new Promise<void>(() => {}), "prover-3");
    t.push(async () => {
      ran.push("fails");
      throw new Error("boom");
    }, "matcher-0");
    t.push(async () => void ran.push("requester"), "requester-0");
    await t.run();
    assert.deepEqual(ran, ["requester", "fails", "chain"]);
    assert.deepEqual(t.hung, ["prover-3"]);
    await t.run();
    assert.deepEqual(ran, ["requester", "fails", "chain"], "steps run once");
  });
});

import assert from "node:assert/strict";
import { parseNodeReport, RESULT_CHECKS } from "../../../sim/process/messages.js";

describe("sim node process messages", () => {
  it("accepts each well-formed report", () => {
    const good = [
      {
        type: "ready",
        node: "prover-1",
        peerId: "12D3",
        multiaddrs: ["/ip4/127.0.0.1/tcp/1"],
        address: null,
      },
      { type: "failed", node: "prover-1", code: "CONFIG_INVALID", message: "x" },
      { type: "role", node: "matcher-0", role: "leader", term: 2 },
      { type: "held", node: "prover-1", requestId: "0x01", atMs: 5 },
      { type: "reply", id: 1, ok: true, value: 3 },
      { type: "reply", id: 2, ok: false, code: "X", message: "y" },
    ];
    for (const m of good) assert.deepEqual(parseNodeReport(m), m, JSON.stringify(m));
  });

  it("refuses malformed reports with SIM_CHILD_PROTOCOL", () => {
    const bad = [
      null,
      "ready",
      { type: "nope" },
      { type: "ready", node: "b", peerId: 1, multiaddrs: [], address: null },
      { type: "ready", node: "b", peerId: "p", multiaddrs: [1], address: null },
      { type: "role", node: "matcher-0", role: "king", term: 1 },
      { type: "held", node: "prover-1", requestId: "0x01", atMs: "now" },
      // From a process hosting several nodes, a report that names none cannot be routed.
      { type: "held", requestId: "0x01", atMs: 5 },
      { type: "role", node: 3, role: "leader", term: 1 },
      { type: "reply", id: "1", ok: true, value: 1 },
      { type: "reply", id: 1, ok: false },
    ];
    for (const m of bad)
      assert.throws(() => parseNodeReport(m), { code: "SIM_CHILD_PROTOCOL" }, JSON.stringify(m));
  });

  it("checks each call's reply value", () => {
    const cases: [keyof typeof RESULT_CHECKS, unknown, boolean][] = [
      ["logSeq", 4, true],
      ["logSeq", "4", false],
      ["connectedPeers", ["a", "b"], true],
      ["connectedPeers", [1], false],
      ["peerStanding", { score: -1, rejects: 3 }, true],
      ["peerStanding", { score: -1 }, false],
      ["startRole", null, true],
      ["startRole", { role: "follower", term: 0 }, true],
      ["startRole", { role: "boss", term: 0 }, false],
      ["stop", null, true],
      ["crash", null, true],
      ["crash", 0, false],
      ["stop", 1, false],
    ];
    for (const [op, v, ok] of cases) assert.equal(RESULT_CHECKS[op](v), ok, `${op} ${JSON.stringify(v)}`);
  });
});

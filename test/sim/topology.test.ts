import assert from "node:assert/strict";
import { planTopology } from "../../sim/topology.js";

/** A seeded uniform source: the plan must not depend on Math.random to be checked. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function degrees(members: number, links: { from: number; to: number }[]): number[] {
  const d = new Array<number>(members).fill(0);
  for (const l of links) {
    d[l.from]!++;
    d[l.to]!++;
  }
  return d;
}

/** Whether every member reaches every other over member links alone. */
function connected(members: number, links: { from: number; to: number }[]): boolean {
  const adj = Array.from({ length: members }, () => [] as number[]);
  for (const l of links) {
    adj[l.from]!.push(l.to);
    adj[l.to]!.push(l.from);
  }
  const seen = new Set([0]);
  const queue = [0];
  while (queue.length > 0) for (const n of adj[queue.pop()!]!) if (!seen.has(n) && seen.add(n)) queue.push(n);
  return seen.size === members;
}

describe("sim topology", () => {
  it("links every member to every hub and to k distinct others, never itself, never a pair twice", () => {
    for (const seed of [1, 2, 3, 42]) {
      const plan = planTopology({ members: 95, hubs: 2, k: 3 }, seeded(seed));
      assert.equal(plan.toHubs.length, 95 * 2);
      for (let m = 0; m < 95; m++)
        assert.deepEqual(
          plan.toHubs.filter((l) => l.from === m).map((l) => l.to),
          [0, 1],
        );
      const pairs = new Set<string>();
      for (const l of plan.toMembers) {
        assert.notEqual(l.from, l.to, "no member dials itself");
        const key = l.from < l.to ? `${l.from}:${l.to}` : `${l.to}:${l.from}`;
        assert.ok(!pairs.has(key), `pair ${key} planned twice`);
        pairs.add(key);
      }
      // Each member picked 3 others; some picks were already linked the other way round.
      for (const d of degrees(95, plan.toMembers)) assert.ok(d >= 3, `a member with ${d} member links`);
      assert.ok(connected(95, plan.toMembers), "the members alone form one network");
    }
  });

  it("asks for fewer links when there are not k others", () => {
    const plan = planTopology({ members: 3, hubs: 1, k: 5 }, seeded(7));
    assert.equal(plan.toMembers.length, 3, "a triangle: every pair once");
    assert.deepEqual(planTopology({ members: 1, hubs: 2, k: 3 }, seeded(7)).toMembers, []);
  });

  it("joins newcomers only: members already joined dial no one, and are dialled", () => {
    const plan = planTopology({ members: 12, from: 10, hubs: 2, k: 3 }, seeded(9));
    assert.ok(plan.toHubs.every((l) => l.from >= 10));
    assert.ok(plan.toMembers.every((l) => l.from >= 10));
    assert.equal(plan.toHubs.length, 4);
    assert.ok(
      plan.toMembers.some((l) => l.to < 10),
      "a newcomer dials members already there",
    );
  });

  it("is a function of the random source", () => {
    const a = planTopology({ members: 30, hubs: 2, k: 3 }, seeded(5));
    const b = planTopology({ members: 30, hubs: 2, k: 3 }, seeded(5));
    assert.deepEqual(a, b);
  });

  it("with groups, links each member to k others of each of its groups, and every group meshes on its own", () => {
    // 95 provers over 10 markets, two neighbouring markets each (as the steady sim deals them).
    const groups = Array.from({ length: 95 }, (_, i) => [i % 10, (i + 1) % 10]);
    for (const seed of [1, 2, 3]) {
      const plan = planTopology({ members: 95, hubs: 2, k: 3, groups }, seeded(seed));
      for (const l of plan.toMembers) {
        const shared = groups[l.from]!.filter((g) => groups[l.to]!.includes(g));
        assert.ok(shared.length > 0, `${l.from} -> ${l.to} share no market`);
      }
      for (let g = 0; g < 10; g++) {
        const inG = groups.flatMap((gs, m) => (gs.includes(g) ? [m] : []));
        const local = new Map(inG.map((m, i) => [m, i]));
        const links = plan.toMembers
          .filter((l) => local.has(l.from) && local.has(l.to))
          .map((l) => ({ from: local.get(l.from)!, to: local.get(l.to)! }));
        // Links made for the neighbouring market may fall inside this one too; each member made k here.
        for (const d of degrees(inG.length, links))
          assert.ok(d >= 3, `market ${g}: a prover with ${d} peers in it`);
        assert.ok(connected(inG.length, links), `market ${g}'s provers form one network`);
      }
    }
  });

  it("a member in no group picks among all members", () => {
    const groups = [[0], [0], [1], [1], []];
    const plan = planTopology({ members: 5, hubs: 1, k: 4, groups }, seeded(3));
    assert.deepEqual(
      plan.toMembers
        .filter((l) => l.from === 4)
        .map((l) => l.to)
        .sort(),
      [0, 1, 2, 3].filter((m) => !plan.toMembers.some((l) => l.from === m && l.to === 4)),
      "the ungrouped member links to every other not already linked to it",
    );
  });
});

/**
 * Who connects to whom in a simulated network. Every node joins through the bootstrap peer; the sim
 * then links each member (prover, requester) to every hub (the matchers) and to a few random other
 * members. The DHT is off in the sim: in a network of 100 nodes its lookups reach nearly every
 * peer, and every connection they open stays, so the network becomes all-to-all (n^2 connections:
 * at 100 nodes in one process that alone was more than one core busy at rest). Members dial the
 * matchers directly, as a prover in production would: the leader's batch then reaches each prover
 * in one hop, and a request reaches the leader in one.
 */
import type { KalypsoNodeInit } from "../node/kalypso-node.js";
import type { SimNode } from "./network.js";

/** Random other members each member dials (of each of its markets): with the hubs, above the sim mesh degree. */
export const SIM_RANDOM_LINKS = 3;

/** A link to open: `from` dials `to` (indexes into the members, or into the hubs). */
export interface Link {
  from: number;
  to: number;
}

export interface TopologyPlan {
  /** Member `from` dials hub `to`. */
  toHubs: Link[];
  /** Member `from` dials member `to`; each unordered pair once. */
  toMembers: Link[];
}

/**
 * The links that join members `from`.. of `members` members to the network: each dials every one
 * of `hubs` hubs, and `k` distinct random other members (fewer when there are not that many), never
 * a pair twice. With `groups` (member i's markets), a member in groups dials `k` random others of
 * each of its groups instead: a market's topics then have a mesh of their own among its provers,
 * where random links across ten markets would leave most provers no peer that takes their market's
 * requests (gossip would reach them late, or never). Members before `from` are already joined.
 * `random` returns values in [0, 1).
 */
export function planTopology(
  shape: { members: number; from?: number; hubs: number; k: number; groups?: readonly (readonly number[])[] },
  random: () => number,
): TopologyPlan {
  const { members, hubs, k } = shape;
  const toHubs: Link[] = [];
  const toMembers: Link[] = [];
  const paired = new Set<string>();
  const key = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);
  const groupsOf = (m: number) => shape.groups?.[m] ?? [];
  for (let from = shape.from ?? 0; from < members; from++) {
    for (let to = 0; to < hubs; to++) toHubs.push({ from, to });
    const all = Array.from({ length: members }, (_, i) => i);
    const pools =
      groupsOf(from).length === 0
        ? [all]
        : groupsOf(from).map((g) => all.filter((m) => groupsOf(m).includes(g)));
    for (const pool of pools) {
      const others = pool.filter((m) => m !== from);
      // A partial Fisher-Yates shuffle: the first k of `others` become a uniform random choice.
      const picks = Math.min(k, others.length);
      for (let i = 0; i < picks; i++) {
        const j = i + Math.floor(random() * (others.length - i));
        [others[i], others[j]] = [others[j]!, others[i]!];
        const to = others[i]!;
        if (paired.has(key(from, to))) continue;
        paired.add(key(from, to));
        toMembers.push({ from, to });
      }
    }
  }
  return { toHubs, toMembers };
}

/** Dials at once while wiring: each is a Noise handshake, which costs CPU, not waiting. */
const DIALS_AT_ONCE = 16;

/**
 * Join `newcomers` to the network: each dials every hub and `k` random other members (the members
 * already joined, or other newcomers), of each of its markets when `marketsOf` names some.
 */
export async function wireTopology(
  newcomers: SimNode[],
  hubs: SimNode[],
  joined: SimNode[] = [],
  marketsOf: (node: SimNode) => readonly number[] = () => [],
  k = SIM_RANDOM_LINKS,
  random: () => number = Math.random,
): Promise<void> {
  const members = [...joined, ...newcomers];
  const plan = planTopology(
    { members: members.length, from: joined.length, hubs: hubs.length, k, groups: members.map(marketsOf) },
    random,
  );
  const dials = [
    ...plan.toHubs.map((l) => () => members[l.from]!.dial(hubs[l.to]!.multiaddrs[0]!)),
    ...plan.toMembers.map((l) => () => members[l.from]!.dial(members[l.to]!.multiaddrs[0]!)),
  ];
  for (let i = 0; i < dials.length; i += DIALS_AT_ONCE)
    await Promise.all(dials.slice(i, i + DIALS_AT_ONCE).map((d) => d()));
}

/**
 * Mesh degrees in the sim: every node is one hop from the leader (the hubs), whose own messages
 * go to every peer at once (flood publish), and a request a prover's mesh misses still reaches it
 * in the log (KalypsoNode pools the log's requests), so the mesh is a second path, not the first.
 * Each mesh peer is one more copy of every message that every node encrypts, sends, receives and
 * decrypts: at 100 nodes over 2 shards, D=2 instead of 4 cut the run's CPU by ~12 % and assign
 * p50 from 95-213 ms to 48-58 ms (two runs each, alternated).
 */
export const SIM_MESH = { D: 2, Dlo: 1, Dhi: 3, Dlazy: 2, Dout: 1, Dscore: 1 };

/** Sim nodes find peers through the bootstrap peer and `wireTopology`, not the DHT; a hub has every member. */
export function withSimNetwork(init: KalypsoNodeInit): KalypsoNodeInit {
  return { ...init, network: { ...init.network, dht: false, maxConnections: 1000, mesh: SIM_MESH } };
}

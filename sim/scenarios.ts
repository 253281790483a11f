/**
 * The scenarios (DESIGN §11): each names the network it needs and drives it. The outcome is read
 * afterwards from the chain (chain-audit.ts) and the recorder, never from the scenario's say-so.
 */
import type { ProofOutcome } from "../node/roles/requester.js";
import { Load } from "./load.js";
import {
  SIM_MARKETS_PER_PROVER,
  SIM_REQUEST_PROVING_TIME_S,
  type SimNetwork,
  type SimNetworkInit,
  untilQuoted,
} from "./network.js";
import { pollUntil, SimError } from "./poll.js";
import type { SimRecorder } from "./recorder.js";
import { runSpam, type SpamResult } from "./spam.js";

/** What a scenario is given. */
export interface ScenarioContext {
  net: SimNetwork;
  rec: SimRecorder;
  requests: number;
}

/** What a scenario measured beyond the chain's account. */
export interface ScenarioResult {
  submitted: number;
  outcomes: ProofOutcome[];
  /** Codes of requests that could not be made. */
  errors: string[];
  failover_ms?: number;
  spam?: SpamResult;
  partition?: PartitionResult;
  churn?: ChurnResult;
}

/** What the partition scenario saw. */
export interface PartitionResult {
  /** The nodes cut off from the rest. */
  group: string[];
  /** Requests submitted while the network was cut in two. */
  submitted_during: number;
  /** At the heal: the leader's last batch, and the furthest any node of the group had got. */
  log_seq_at_heal: { leader: number; group: number };
  /** Wall ms from the heal to every live node holding the same log tip and reaching the other side. */
  heal_ms: number;
  /** Every live node's last batch sequence number once healed (all equal). */
  log_tips: Record<string, number>;
  /** Whether every node of the group had a connection outside it again. */
  reconnected: boolean;
}

/** What the churn scenario saw. */
export interface ChurnResult {
  /** Provers that crashed mid-run. */
  left: string[];
  /** Provers that joined mid-run. */
  joined: string[];
  /** Requests settled by provers that joined mid-run. */
  settled_by_joiners: number;
}

export interface Scenario {
  /** The network for `nodes` nodes (bootstrap, matchers, provers, requesters, attackers). */
  shape(nodes: number): Omit<SimNetworkInit, "dir" | "logger">;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

/** A quote this far from expiry (chain seconds) is fresh enough for a scenario's next requests. */
const SIM_QUOTE_FRESH_S = 60;

/** Seconds added to chain time past a lease or a deadline, so it has surely passed. */
const TIME_MARGIN_S = 5;

/** bootstrap + matchers + requesters leave the rest to provers (at least 2). */
function provers(nodes: number, taken: number): number {
  const n = nodes - taken;
  if (n < 2)
    throw new SimError(
      "SIM_TOO_FEW_NODES",
      `sim: --nodes ${nodes} leaves ${n} provers; give at least ${taken + 2}`,
    );
  return n;
}

/** Requests per second the steady scenario submits. */
export const STEADY_RATE_PER_S = 10;

/** Provers each market of the steady scenario has (each prover proves SIM_MARKETS_PER_PROVER). */
export const STEADY_PROVERS_PER_MARKET = 20;

const steady: Scenario = {
  // Load over many markets: two at 10 nodes, ten at 100, each with ~20 provers.
  shape: (nodes) => {
    const n = provers(nodes, 5);
    const markets = Math.max(2, Math.ceil((n * SIM_MARKETS_PER_PROVER) / STEADY_PROVERS_PER_MARKET));
    return { matchers: 2, requesters: 2, provers: n, markets };
  },
  async run({ net, rec, requests }) {
    const load = new Load(net, rec);
    await load.submitPaced(requests, STEADY_RATE_PER_S);
    await load.settled();
    return { submitted: load.submitted, outcomes: load.outcomes, errors: load.errors };
  },
};

const proverOffline: Scenario = {
  // Prover 0 is the cheapest, so it is assigned first; it never proves.
  shape: (nodes) => ({
    matchers: 2,
    requesters: 1,
    provers: provers(nodes, 4),
    markets: 1,
    silentProvers: [0],
  }),
  async run({ net, rec, requests }) {
    const load = new Load(net, rec);
    const silent = new Set(net.provers.filter((p) => p.silent).map((p) => p.address.toLowerCase()));
    load.submit(requests);
    // Every request proven, or held by the silent prover: only then move chain time past its deadlines.
    await provenOrHeld(load, rec, () => silent);
    await net.world.chain.increaseTime(SIM_REQUEST_PROVING_TIME_S + TIME_MARGIN_S);
    await load.settled();
    return { submitted: load.submitted, outcomes: load.outcomes, errors: load.errors };
  },
};

const LEADER_CRASH_LEASE_S = 10;

const leaderCrash: Scenario = {
  shape: (nodes) => ({
    matchers: 3,
    requesters: 1,
    provers: provers(nodes, 5),
    markets: 2,
    leaseDurationS: LEADER_CRASH_LEASE_S,
  }),
  async run({ net, rec, requests }) {
    const load = new Load(net, rec);
    const first = Math.max(1, Math.floor(requests / 2));
    const old = await pollUntil(() => net.matchers.find((m) => m.role.role === "leader"), "a leader");
    load.submit(first);
    await load.settled();
    const crashedAt = Date.now();
    await old.crash();
    // Sent while nobody leads: followers pool them, the next leader must sequence them.
    load.submit(requests - first);
    await net.world.chain.increaseTime(LEADER_CRASH_LEASE_S + TIME_MARGIN_S);
    await pollUntil(() => rec.leader(), "a new leader");
    // Wall time from the crash to a new leader; the lease's expiry itself is skipped (chain time moved).
    const failover_ms = Date.now() - crashedAt;
    await load.settled();
    return { submitted: load.submitted, outcomes: load.outcomes, errors: load.errors, failover_ms };
  },
};

const SPAM_ATTACKERS = 2;

const spam: Scenario = {
  shape: (nodes) => ({ matchers: 2, requesters: 1, provers: provers(nodes, 4 + SPAM_ATTACKERS), markets: 1 }),
  async run({ net, rec, requests }) {
    const load = new Load(net, rec);
    const first = Math.max(1, Math.floor(requests / 2));
    load.submit(first);
    const result = await runSpam(net, SPAM_ATTACKERS);
    // Honest traffic after the attack still flows.
    load.submit(requests - first);
    await load.settled();
    await result.stop();
    return { submitted: load.submitted, outcomes: load.outcomes, errors: load.errors, spam: result };
  },
};

/** Wait until every request ended, or sits with a prover in `gone` (silent or crashed). */
async function provenOrHeld(load: Load, rec: SimRecorder, gone: () => Set<string>): Promise<void> {
  try {
    await pollUntil(() => {
      const g = gone();
      const stuck = [...rec.traces.values()].filter(
        (t) => !t.outcome && g.has(t.prover?.toLowerCase() ?? ""),
      );
      return (
        load.outcomes.length + load.errors.length + stuck.length >= load.submitted &&
        rec.traces.size >= load.submitted
      );
    }, "every request proven or held by a prover that will never prove it");
  } catch (err) {
    // Say where each open request stood, and which provers will never prove: a timeout here is
    // otherwise silent about its cause.
    if (!(err instanceof SimError)) throw err;
    const said = await load.withOpenRequests(err);
    throw new SimError(said.code, `${said.message}; gone: ${[...gone()].join(", ") || "none"}`);
  }
}

/** Cut `group` off from every other live node (both ways); returns the heal. */
async function cut(net: SimNetwork, group: Set<string>): Promise<() => Promise<void>> {
  const live = net.liveNodes();
  const inside = live.filter((n) => group.has(n.name));
  const outside = live.filter((n) => !group.has(n.name));
  const blocks: (() => Promise<void>)[] = [];
  for (const a of inside) {
    for (const b of outside) {
      await a.blockPeer(b.peerId);
      await b.blockPeer(a.peerId);
      blocks.push(async () => {
        await a.unblockPeer(b.peerId);
        await b.unblockPeer(a.peerId);
      });
    }
  }
  return async () => {
    for (const unblock of blocks) await unblock();
  };
}

const partition: Scenario = {
  // The group cut off: a follower matcher and half the provers; the leader, the bootstrap peer and
  // the requester stay on the other side. The chain is reachable from both sides, as a real one is.
  shape: (nodes) => ({ matchers: 2, requesters: 1, provers: provers(nodes, 4), markets: 1 }),
  async run({ net, rec, requests }) {
    const load = new Load(net, rec);
    const leaderMatcher = await pollUntil(
      () => net.matchers.find((m) => m.role.role === "leader"),
      "a leader",
    );
    const follower = net.matchers.find((m) => m !== leaderMatcher)!;
    const group = new Set([follower.name, ...net.provers.filter((_, i) => i % 2 === 1).map((p) => p.name)]);
    const first = Math.max(1, Math.floor(requests / 3));
    await load.submitPaced(first, STEADY_RATE_PER_S);
    const heal = await cut(net, group);
    const during = Math.max(1, Math.floor(requests / 3));
    await load.submitPaced(during, STEADY_RATE_PER_S);
    // The majority side goes on while the group is cut off. The leader does not know who is cut
    // off: a cut-off prover may be assigned on-chain without having heard the request, which it
    // learns from the log once healed (proving it if still in time; else it is slashed).
    const groupProvers = new Set(
      net.provers.filter((p) => group.has(p.name)).map((p) => p.address.toLowerCase()),
    );
    await provenOrHeld(load, rec, () => groupProvers);
    const leader = leaderMatcher.node;
    const live = net.liveNodes();
    const inGroup = live.filter((n) => group.has(n.name));
    const atHeal = {
      leader: await leader.logSeq(),
      group: Math.max(...(await Promise.all(inGroup.map((n) => n.logSeq())))),
    };
    const healedAt = Date.now();
    await heal();
    // Healed: every node of the group reaches past the cut and holds the leader's log tip.
    const outsiders = new Set(live.filter((n) => !group.has(n.name)).map((n) => n.peerId));
    const reconnected = async () => {
      const peers = await Promise.all(inGroup.map((n) => n.connectedPeers()));
      return peers.every((ps) => ps.some((p) => outsiders.has(p)));
    };
    const tips = async () => Promise.all(live.map(async (n) => [n.name, await n.logSeq()] as const));
    const sameTip = async () => {
      const tip = await leader.logSeq();
      return (await tips()).every(([, seq]) => seq === tip);
    };
    // Caught up: every node at or past the tip the leader had when the check began. The leader may
    // sequence meanwhile (anchoring facts, quotes), so on a busy host an exact match of every tip at
    // one instant could take long to come; the exact match is checked once the network is quiet.
    const caughtUp = async () => {
      const tip = await leader.logSeq();
      return (await tips()).every(([, seq]) => seq >= tip);
    };
    try {
      await pollUntil(
        async () => (await reconnected()) && (await caughtUp()),
        "every node reconnected and caught up with the leader's log",
      );
    } catch (err) {
      if (!(err instanceof SimError)) throw err;
      const where = (await tips()).map(([name, seq]) => `${name} ${seq}`).join(", ");
      const peers = await Promise.all(
        inGroup.map(
          async (n) => `${n.name} ${(await n.connectedPeers()).filter((p) => outsiders.has(p)).length}`,
        ),
      );
      throw new SimError(
        err.code,
        `${err.message}; leader ${await leader.logSeq()}; tips: ${where}; cut-off nodes' peers across the cut: ${peers.join(", ")}`,
      );
    }
    const healMs = Date.now() - healedAt;
    // What the group was assigned but could not prove is slashed once its deadline passes.
    if (load.outcomes.length + load.errors.length < load.submitted) {
      await net.world.chain.increaseTime(SIM_REQUEST_PROVING_TIME_S + TIME_MARGIN_S);
      await load.settled();
      // The jump outlived every quote: new work waits for the provers' fresh ones in the log, or
      // the leader may match a quote the chain then refuses as expired (the assignment is dropped,
      // and the request waits for an assign-by that chain time, idle, never reaches).
      const now = await net.world.chain.now();
      await untilQuoted(
        net.provers.filter((p) => !p.crashed),
        now + SIM_QUOTE_FRESH_S,
      );
    }
    // And the healed network carries new work to everyone.
    await load.submitPaced(requests - first - during, STEADY_RATE_PER_S);
    await load.settled();
    await pollUntil(sameTip, "every node on the leader's log tip after the last requests");
    return {
      submitted: load.submitted,
      outcomes: load.outcomes,
      errors: load.errors,
      partition: {
        group: [...group],
        submitted_during: during,
        log_seq_at_heal: atHeal,
        heal_ms: healMs,
        log_tips: Object.fromEntries(await tips()),
        reconnected: await reconnected(),
      },
    };
  },
};

const CHURN_ROUNDS = 2;

const churn: Scenario = {
  // Each round the cheapest live prover crashes (it is the one holding work) and a new one joins.
  shape: (nodes) => ({
    matchers: 2,
    requesters: 1,
    provers: provers(nodes, 4),
    markets: 1,
    spareProvers: CHURN_ROUNDS,
  }),
  async run({ net, rec, requests }) {
    const load = new Load(net, rec);
    const left: string[] = [];
    const joined: string[] = [];
    const per = Math.max(1, Math.floor(requests / (CHURN_ROUNDS + 1)));
    for (let round = 0; round < CHURN_ROUNDS; round++) {
      await load.submitPaced(per, STEADY_RATE_PER_S);
      const victim = net.provers.find((p) => !p.crashed && !joined.includes(p.name)) ?? net.provers[0]!;
      await victim.crash();
      left.push(victim.name);
      joined.push((await net.joinProver()).name);
    }
    await load.submitPaced(requests - load.submitted, STEADY_RATE_PER_S);
    const gone = () => new Set(net.provers.filter((p) => p.crashed).map((p) => p.address.toLowerCase()));
    await provenOrHeld(load, rec, gone);
    // What a crashed prover held can only be slashed: move chain time past its deadlines.
    await net.world.chain.increaseTime(SIM_REQUEST_PROVING_TIME_S + TIME_MARGIN_S);
    await load.settled();
    const joiners = new Set(
      net.provers.filter((p) => joined.includes(p.name)).map((p) => p.address.toLowerCase()),
    );
    const settledByJoiners = [...rec.traces.values()].filter(
      (t) => t.outcome === "settled" && joiners.has(t.prover?.toLowerCase() ?? ""),
    ).length;
    return {
      submitted: load.submitted,
      outcomes: load.outcomes,
      errors: load.errors,
      churn: { left, joined, settled_by_joiners: settledByJoiners },
    };
  },
};

/** Scenarios by name, in the order they were built. */
export const SCENARIOS: Record<string, Scenario> = {
  steady,
  "prover-offline": proverOffline,
  "leader-crash": leaderCrash,
  spam,
  partition,
  churn,
};

/**
 * The scenarios (DESIGN §11): each names the network it needs and drives it. The outcome is read
 * afterwards from the chain (chain-audit.ts) and the recorder, never from the scenario's say-so.
 */
import { encodeInputsPublic } from "../node/prover/inputs.js";
import type { ProofOutcome } from "../node/roles/requester.js";
import { SIM_REQUEST_PROVING_TIME_S, type SimNetwork, type SimNetworkInit } from "./network.js";
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
}

export interface Scenario {
  /** The network for `nodes` nodes (bootstrap, matchers, provers, requesters, attackers). */
  shape(nodes: number): Omit<SimNetworkInit, "dir" | "logger">;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

/** Seconds added to chain time past a lease or a deadline, so it has surely passed. */
const TIME_MARGIN_S = 5;

/** Submits the sim's requests round-robin over requesters and markets; collects outcomes. */
class Load {
  readonly outcomes: ProofOutcome[] = [];
  /** Codes of requests that could not be made (RequesterError): reported, and counted as lost. */
  readonly errors: string[] = [];
  private readonly inFlight: Promise<void>[] = [];
  submitted = 0;

  constructor(private readonly net: SimNetwork) {}

  submit(n: number): void {
    for (let k = 0; k < n; k++) {
      const i = this.submitted++;
      const r = this.net.requesters[i % this.net.requesters.length]!;
      const m = this.net.markets[i % this.net.markets.length]!;
      const witness = { hash: String(1000 + i), preimage: String(i) };
      this.inFlight.push(
        r.requester
          .requestProof({
            marketId: m.marketId,
            publicInputs: encodeInputsPublic(m.description.inputs, witness),
            witness: new TextEncoder().encode(JSON.stringify(witness)),
            maxPrice: 10n ** 15n,
            provingTime: SIM_REQUEST_PROVING_TIME_S,
            assignWithinS: 120,
          })
          .then(
            (o) => void this.outcomes.push(o),
            (err: { code?: string }) => void this.errors.push(err.code ?? "UNKNOWN"),
          ),
      );
    }
  }

  /** Wait until every submitted request has an outcome. */
  async settled(timeoutMs = 90_000): Promise<void> {
    await pollUntil(
      () => this.outcomes.length + this.errors.length >= this.submitted,
      "every request to end",
      timeoutMs,
    );
    await Promise.all(this.inFlight);
  }
}

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

const steady: Scenario = {
  shape: (nodes) => ({ matchers: 2, requesters: 2, provers: provers(nodes, 5), markets: 2 }),
  async run({ net, requests }) {
    const load = new Load(net);
    load.submit(requests);
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
    const load = new Load(net);
    const silent = new Set(net.provers.filter((p) => p.silent).map((p) => p.address.toLowerCase()));
    load.submit(requests);
    // Every request proven, or held by the silent prover: only then move chain time past its deadlines.
    await pollUntil(() => {
      const stuck = [...rec.traces.values()].filter(
        (t) => !t.outcome && silent.has(t.prover?.toLowerCase() ?? ""),
      );
      return (
        load.outcomes.length + load.errors.length + stuck.length >= load.submitted &&
        rec.traces.size >= load.submitted
      );
    }, "every request proven or held by the silent prover");
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
    const load = new Load(net);
    const first = Math.max(1, Math.floor(requests / 2));
    const old = await pollUntil(() => net.matchers.find((m) => m.matcher.role.role === "leader"), "a leader");
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
  async run({ net, requests }) {
    const load = new Load(net);
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

/** Scenarios by name, in the order they were built. */
export const SCENARIOS: Record<string, Scenario> = {
  steady,
  "prover-offline": proverOffline,
  "leader-crash": leaderCrash,
  spam,
};

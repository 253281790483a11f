/**
 * The sim network as the scenarios and the recorder see it, whichever way it runs: every node in
 * this process (local-network.ts) or each in its own (process/process-network.ts). Handles cross
 * the process boundary, so what asks a node is async; what a node reports (a matcher's role, a
 * prover's held assignments) arrives as events. Also what both modes share: the chain with its
 * sim markets, the pricing, and the requesters, which always run here: they are the load
 * generator, and publication time is measured where they publish.
 */
import { ContractFactory } from "ethers";
import { KalypsoNode, type KalypsoNodeInit } from "../node/kalypso-node.js";
import type { Logger } from "../node/logger.js";
import { encodeInputsPublic } from "../node/prover/inputs.js";
import type { MarketDescription } from "../node/prover/market-file.js";
import type { MatcherRole } from "../node/roles/lease-watcher.js";
import { Requester } from "../node/roles/requester.js";
import { type Address, privateKeyToAddress } from "../protocol/index.js";
import { DEVNET_COLLATERAL, type DevnetWorld, startDevnetWorld } from "./devnet/devnet-world.js";
import { pollUntil } from "./poll.js";
import type { SimMarket, SimPricing } from "./sim-prover.js";

/** How the nodes run: all in this process, one process per node, or spread over a few processes. */
export type SimMode = "in-process" | "processes" | "shards";

/** How many of each role, and which provers never prove. */
export interface SimNetworkInit {
  matchers: number;
  provers: number;
  requesters: number;
  markets: number;
  /** Lease length, s. Long by default so moving chain time to a deadline never ends a term. */
  leaseDurationS?: number;
  /** Prover indexes whose backend never answers. */
  silentProvers?: number[];
  /** Funded keys kept for provers that join during the run (`SimNetwork.joinProver`). */
  spareProvers?: number;
  dir: string;
  logger: Logger;
  /** pino level of node processes' logs (their stdout); in-process nodes use `logger`. */
  logLevel?: string;
  /**
   * Node processes to deal the provers over, the bootstrap peer and matchers sharing one more
   * (shards mode); without it each node gets its own (processes mode). Unused in-process.
   */
  shards?: number;
}

/** A node of the network, here or in its own process: what scenarios may ask of and do to it. */
export interface SimNode {
  /** bootstrap, matcher-i, prover-i, requester-i. */
  readonly name: string;
  readonly peerId: string;
  /** Where it listens (loopback). */
  readonly multiaddrs: string[];
  /** Refuse `peer` from now on and hang up on it. */
  blockPeer(peer: string): Promise<void>;
  unblockPeer(peer: string): Promise<void>;
  /** Sequence number of the last batch of the sequenced log it holds. */
  logSeq(): Promise<number>;
  /** Peer ids it is connected to now. */
  connectedPeers(): Promise<string[]>;
  /** Open a connection to the peer at `multiaddr` (with /p2p/<id>). */
  dial(multiaddr: string): Promise<void>;
  /** `peer`'s score at this node and how many of its messages this node judged REJECT. */
  peerStanding(peer: string): Promise<PeerStanding>;
}

export interface PeerStanding {
  score: number;
  rejects: number;
}

/** A matcher's role and term. */
export interface MatcherRoleNow {
  role: MatcherRole;
  term: number;
}

export interface SimMatcher {
  name: string;
  node: SimNode;
  address: Address;
  /** The role it has now; a crashed matcher still reports the role it last had. */
  readonly role: MatcherRoleNow;
  /** Called on every change of role from now on. */
  onRole(listener: (role: MatcherRoleNow) => void): void;
  /** Whether crash() was called. */
  readonly crashed: boolean;
  /** Stop this matcher at once (a crash as the others see it; a real one in processes mode). */
  crash(): Promise<void>;
}

/** A prover of the network and what it is. */
export interface SimProver {
  name: string;
  node: SimNode;
  address: Address;
  silent: boolean;
  /** Ids of the markets it proves (and whose requests it takes). */
  markets: number[];
  /** Whether crash() was called. */
  readonly crashed: boolean;
  /** Stop this prover at once, whatever it holds (a real process exit in processes mode). */
  crash(): Promise<void>;
  /** Called with each request a leader-signed batch it received assigns to it, and the wall ms it did. */
  onHeld(listener: (requestId: string, atMs: number) => void): void;
  /** Markets whose quote from it the sequenced log carries, as its node has received the log. */
  quotedMarkets(validAfter?: number): Promise<number>;
}

export interface SimRequester {
  node: KalypsoNode;
  requester: Requester;
  address: Address;
}

export interface SimNetwork {
  mode: SimMode;
  world: DevnetWorld;
  markets: SimMarket[];
  boot: SimNode;
  matchers: SimMatcher[];
  provers: SimProver[];
  requesters: SimRequester[];
  /** Every node still running. */
  liveNodes(): SimNode[];
  /** Start a prover on a spare key (the cheapest price on offer); it is added to `provers`. */
  joinProver(): Promise<SimProver>;
  /** A node init following the deployment, for extra peers in this process (such as attackers). */
  nodeInit(name: string, bootstrap: string[]): KalypsoNodeInit;
  /** Resident memory of the processes running the nodes (this one included, anvil not), bytes. */
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

/** The sim market's inputs: a public "hash" and a private "preimage" (never checked: TestVerifier). */
const SIM_INPUTS = [
  { name: "hash", public: true },
  { name: "preimage", public: false },
];

/** Seconds a sim prover quotes per proof; requests allow SIM_REQUEST_PROVING_TIME_S. */
export const SIM_PROVING_TIME_S = 120;
export const SIM_REQUEST_PROVING_TIME_S = 300;

/** Each requester's deposit at start: 1 ether, enough for hundreds of sim requests. */
export const SIM_REQUESTER_DEPOSIT = 10n ** 18n;

/** Collateral a sim prover keeps deposited: twenty requests' worth. */
export const SIM_MIN_COLLATERAL = 20n * DEVNET_COLLATERAL;

/**
 * Prover i: cheaper provers first, so the matching rule has a choice. The proving time is long:
 * the dev chain mines a block per transaction, each at least a second after the last, so under load
 * chain time runs ahead of wall time and a short deadline would pass before an instant proof lands.
 */
export function simPricing(i: number): SimPricing {
  return { price: (3n + BigInt(i % 5)) * 10n ** 14n, provingTime: SIM_PROVING_TIME_S, capacity: 4 };
}

/** Markets a prover proves when the sim has more than this many. */
export const SIM_MARKETS_PER_PROVER = 2;

/**
 * Who proves what. `deal` gives prover i its markets: all of them in a sim of one or two markets;
 * else two neighbours in turn, so every market has provers and a large network is many markets of
 * a few dozen provers each, as provers specialise in the circuits their hardware proves. `of` gives
 * a node's markets to wireTopology when provers specialise, else none: one pool for all.
 */
export class ProverMarkets {
  private readonly byName = new Map<string, number[]>();
  constructor(private readonly markets: SimMarket[]) {}

  /** The markets prover `name` (the i-th) proves, remembered by its name. */
  deal(name: string, i: number): SimMarket[] {
    const n = this.markets.length;
    const proves =
      n <= SIM_MARKETS_PER_PROVER
        ? this.markets
        : Array.from({ length: SIM_MARKETS_PER_PROVER }, (_, k) => this.markets[(i + k) % n]!);
    this.byName.set(
      name,
      proves.map((m) => m.marketId),
    );
    return proves;
  }

  /** Ids of the markets prover `name` was dealt. */
  ids(name: string): number[] {
    return this.byName.get(name) ?? [];
  }

  readonly of = (node: SimNode): readonly number[] =>
    this.markets.length > SIM_MARKETS_PER_PROVER ? this.ids(node.name) : [];
}

/** A joining prover undercuts everyone, so the matching rule gives it work at once. */
export const SIM_JOINER_PRICE = 2n * 10n ** 14n;

/** A stack of teardowns, run in reverse order of start; each failure is logged, not thrown. */
export class Teardown {
  private readonly stack: { what: string; stop: () => Promise<void> }[] = [];
  constructor(
    private readonly logger: Logger,
    /** How long one step may take before the rest go on without it. */
    private readonly stepTimeoutMs = STOP_STEP_TIMEOUT_MS,
  ) {}
  push(stop: () => Promise<void>, what = "a step"): void {
    this.stack.push({ what, stop });
  }
  /** Run every step, last pushed first; a step that fails or hangs is reported and passed over. */
  async run(): Promise<void> {
    for (const { what, stop } of this.stack.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<"hung">((resolve) => {
        timer = setTimeout(() => resolve("hung"), this.stepTimeoutMs);
      });
      const r = await Promise.race([
        stop().catch((err) => this.logger.warn({ err, what }, "stop failed")),
        hung,
      ]);
      clearTimeout(timer);
      if (r === "hung") {
        this.hung.push(what);
        this.logger.error(
          { what, timeoutMs: this.stepTimeoutMs },
          "stop did not finish; going on without it",
        );
      }
    }
  }
  /** Steps that did not finish within the timeout (what a run reports; empty when all is well). */
  readonly hung: string[] = [];
}

/** A node stops in well under a second; 30 s means it is stuck, and a sim must still end. */
const STOP_STEP_TIMEOUT_MS = 30_000;

/** Start the chain, deploy, and open `init.markets` sim markets on a TestVerifier. */
export async function startSimChain(
  init: SimNetworkInit,
  teardown: Teardown,
): Promise<{ world: DevnetWorld; markets: SimMarket[] }> {
  const world = await startDevnetWorld({
    shape: {
      matchers: init.matchers,
      provers: init.provers,
      requesters: init.requesters,
      spareProvers: init.spareProvers,
    },
    leaseDurationS: init.leaseDurationS ?? 86_400,
    marketFiles: [],
  });
  teardown.push(() => world.stop(), "the chain");
  const owner = await world.signer(world.keys.owner);
  const tv = world.deployment.artifacts.TestVerifier!;
  const c = await new ContractFactory(tv.abi as never, tv.bytecode, owner).deploy();
  await c.deploymentTransaction()!.wait();
  const verifier = (await c.getAddress()).toLowerCase() as Address;
  const markets: SimMarket[] = [];
  for (let m = 0; m < init.markets; m++) {
    const description: MarketDescription = {
      version: 1,
      name: `sim-market-${m}`,
      scheme: "groth16",
      verifier,
      backend: { kind: "snarkjs", wasm: "/nonexistent.wasm", zkey: "/nonexistent.zkey" },
      inputs: SIM_INPUTS,
    };
    const { marketId } = await world.deployment.marketplace.createMarket(
      {
        verifier,
        collateralPerRequest: DEVNET_COLLATERAL,
        minProvingTime: 5,
        maxProvingTime: 600,
        requiresTee: false,
      },
      encodeInputsPublic(SIM_INPUTS, { hash: "1", preimage: "2" }),
      new Uint8Array(256).fill(1),
    );
    markets.push({ marketId, description });
  }
  return { world, markets };
}

/** Start the requesters in this process, each on its own node, with its deposit made. */
export async function startSimRequesters(
  world: DevnetWorld,
  nodeInit: (name: string) => KalypsoNodeInit,
  logger: Logger,
  teardown: Teardown,
): Promise<SimRequester[]> {
  const requesters: SimRequester[] = [];
  for (const [i, key] of world.keys.requesters.entries()) {
    const node = await KalypsoNode.start(nodeInit(`requester-${i}`));
    teardown.push(() => node.stop(), `requester-${i} node`);
    // Deposit up front: concurrent first requests would each send the same top-up transaction.
    await world.deployment.marketplace.connect(await world.signer(key)).deposit(SIM_REQUESTER_DEPOSIT);
    const requester = new Requester(
      {
        node,
        marketplace: world.deployment.marketplace.connect(await world.signer(key)),
        key,
        logger: logger.child({ node: `requester-${i}` }),
      },
      { depositExtra: 10n ** 17n },
    );
    await requester.start();
    teardown.push(() => requester.stop(), `requester-${i}`);
    requesters.push({ node, requester, address: privateKeyToAddress(key) });
  }
  return requesters;
}

/** A node of this process as a SimNode. */
export function localSimNode(name: string, node: KalypsoNode): SimNode {
  return {
    name,
    peerId: node.identity.peerId.toString(),
    multiaddrs: node.host.getMultiaddrs().map(String),
    blockPeer: (peer) => node.blockPeer(peer),
    unblockPeer: async (peer) => node.unblockPeer(peer),
    logSeq: async () => node.logSeq,
    connectedPeers: async () => node.host.getConnections().map((c) => c.remotePeer.toString()),
    dial: async (addr) => node.dial(addr),
    peerStanding: async (peer) => ({
      score: node.penalties.score(peer),
      rejects: node.penalties.rejects(peer),
    }),
  };
}

/**
 * Wait until the sequenced log carries a quote from each of `provers` for every market it proves
 * (valid after chain time `validAfter`, when given): only then may the leader match them, so a
 * scenario's first requests see every prover (the cheapest, or the silent one, included) whatever
 * order the nodes came up in; and after chain time jumped, no request meets a quote the chain will
 * call expired when its assignment is anchored.
 */
export async function untilQuoted(provers: SimProver[], validAfter?: number): Promise<void> {
  await pollUntil(
    async () =>
      (
        await Promise.all(provers.map(async (p) => (await p.quotedMarkets(validAfter)) >= p.markets.length))
      ).every(Boolean),
    "every prover's quote in the sequenced log",
    // A large in-process network on 2 cores takes a while to carry a new prover's quote to the leader.
    Math.max(120_000, provers.length * 3000),
  );
}

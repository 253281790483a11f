import { ContractFactory } from "ethers";
import { KalypsoNode, type KalypsoNodeInit } from "../node/kalypso-node.js";
import type { Logger } from "../node/logger.js";
import { encodeInputsPublic } from "../node/prover/inputs.js";
import type { MarketDescription } from "../node/prover/market-file.js";
import type { Matcher } from "../node/roles/matcher.js";
import { Prover } from "../node/roles/prover.js";
import { Requester } from "../node/roles/requester.js";
import { type Address, privateKeyToAddress } from "../protocol/index.js";
import {
  DEVNET_COLLATERAL,
  type DevnetWorld,
  devnetMatcher,
  devnetNodeInit,
  startDevnetWorld,
} from "./devnet/devnet-world.js";
import { SimError } from "./poll.js";
import { SimBackend } from "./sim-backend.js";

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
}

/** A prover of the network and what it is. */
export interface SimProver {
  name: string;
  node: KalypsoNode;
  prover: Prover;
  address: Address;
  silent: boolean;
  /** Whether crash() was called. */
  readonly crashed: boolean;
  /** Stop this prover and its node at once, whatever it holds (a crash as the others see it). */
  crash(): Promise<void>;
}

export interface SimRequester {
  node: KalypsoNode;
  requester: Requester;
  address: Address;
}

export interface SimMatcher {
  node: KalypsoNode;
  matcher: Matcher;
  address: Address;
  /** Whether crash() was called: a stopped matcher still reports the role it last had. */
  readonly crashed: boolean;
  /** Stop this matcher and its node (a crash as the others see it). */
  crash(): Promise<void>;
}

export interface SimNetwork {
  world: DevnetWorld;
  markets: { marketId: number; description: MarketDescription }[];
  boot: KalypsoNode;
  matchers: SimMatcher[];
  provers: SimProver[];
  requesters: SimRequester[];
  /** Every node still running, by name (bootstrap, matcher-i, prover-i, requester-i). */
  liveNodes(): { name: string; node: KalypsoNode }[];
  /** Start a prover on a spare key (the cheapest price on offer); it is added to `provers`. */
  joinProver(): Promise<SimProver>;
  /** A node init following the deployment (for extra peers, such as attackers). */
  nodeInit(name: string, bootstrap: string[]): KalypsoNodeInit;
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

/**
 * Prover i: cheaper provers first, so the matching rule has a choice. The proving time is long:
 * the dev chain mines a block per transaction, each at least a second after the last, so under load
 * chain time runs ahead of wall time and a short deadline would pass before an instant proof lands.
 */
export function simPricing(i: number) {
  return { price: (3n + BigInt(i % 5)) * 10n ** 14n, provingTime: SIM_PROVING_TIME_S, capacity: 4 };
}

/** A joining prover undercuts everyone, so the matching rule gives it work at once. */
export const SIM_JOINER_PRICE = 2n * 10n ** 14n;

/** Provers started at once while the network is built. */
const PROVER_STARTS_AT_ONCE = 8;

/** `f` over `items`, `n` at a time; results in the items' order. */
async function inBatches<T, R>(items: T[], n: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += n) out.push(...(await Promise.all(items.slice(i, i + n).map(f))));
  return out;
}

/** Start the chain, deploy, open the markets and start every node and role. */
export async function startSimNetwork(init: SimNetworkInit): Promise<SimNetwork> {
  const stack: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stack.splice(0).reverse()) await s().catch((err) => init.logger.warn({ err }, "stop"));
  };
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
  stack.push(() => world.stop());
  try {
    const owner = await world.signer(world.keys.owner);
    const tv = world.deployment.artifacts.TestVerifier!;
    const c = await new ContractFactory(tv.abi as never, tv.bytecode, owner).deploy();
    await c.deploymentTransaction()!.wait();
    const verifier = (await c.getAddress()).toLowerCase() as Address;
    const markets: SimNetwork["markets"] = [];
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

    const nodeInit = (name: string, bootstrap: string[]) =>
      devnetNodeInit(world, init.dir, init.logger, name, bootstrap);
    const bootInit = nodeInit("bootstrap", []);
    const boot = await KalypsoNode.start({ ...bootInit, chain: { ...bootInit.chain!, autoStart: true } });
    stack.push(() => boot.stop());
    const bootAddr = [boot.host.getMultiaddrs()[0]!.toString()];

    const matchers: SimMatcher[] = [];
    for (const [i, key] of world.keys.matchers.entries()) {
      const node = await KalypsoNode.start(nodeInit(`matcher-${i}`, bootAddr));
      const matcher = await devnetMatcher(world, node, i, init.logger);
      const sm: SimMatcher = {
        node,
        matcher,
        address: privateKeyToAddress(key),
        crashed: false,
        async crash() {
          if (sm.crashed) return;
          (sm as { crashed: boolean }).crashed = true;
          await matcher.stop();
          await node.stop();
        },
      };
      stack.push(() => sm.crash());
      matchers.push(sm);
    }
    // Roles start after every matcher node is up, so the first leader has followers from the start.
    for (const m of matchers) await m.matcher.start();

    const provers: SimProver[] = [];
    const startProver = async (
      name: string,
      key: Uint8Array,
      pricing: ReturnType<typeof simPricing>,
      silent: boolean,
    ) => {
      const node = await KalypsoNode.start(nodeInit(name, bootAddr));
      const backend = new SimBackend(silent);
      const prover = new Prover(
        {
          node,
          marketplace: world.deployment.marketplace.connect(await world.signer(key)),
          key,
          markets: new Map(markets.map((m) => [m.marketId, { description: m.description, backend }])),
          logger: init.logger.child({ node: name }),
        },
        {
          pricing: new Map(markets.map((m) => [m.marketId, pricing])),
          minCollateral: 20n * DEVNET_COLLATERAL,
          capacity: pricing.capacity,
        },
      );
      const sp: SimProver = {
        name,
        node,
        prover,
        address: privateKeyToAddress(key),
        silent,
        crashed: false,
        async crash() {
          if (sp.crashed) return;
          (sp as { crashed: boolean }).crashed = true;
          await prover.stop();
          await node.stop();
        },
      };
      stack.push(() => sp.crash());
      await prover.start();
      return sp;
    };
    // Several at a time: each start waits on the chain (collateral) and the network, not the CPU.
    const keys = [...world.keys.provers.entries()];
    const started = await inBatches(keys, PROVER_STARTS_AT_ONCE, ([i, key]) =>
      startProver(`prover-${i}`, key, simPricing(i), init.silentProvers?.includes(i) ?? false),
    );
    provers.push(...started);
    const spares = [...world.keys.spareProvers];
    const joinProver = async () => {
      const key = spares.shift();
      if (!key) throw new SimError("SIM_NO_SPARE_KEY", "sim: no funded key left for a joining prover");
      const sp = await startProver(
        `prover-${provers.length}`,
        key,
        { ...simPricing(0), price: SIM_JOINER_PRICE },
        false,
      );
      provers.push(sp);
      return sp;
    };

    const requesters: SimRequester[] = [];
    for (const [i, key] of world.keys.requesters.entries()) {
      const node = await KalypsoNode.start(nodeInit(`requester-${i}`, bootAddr));
      stack.push(() => node.stop());
      // Deposit up front: concurrent first requests would each send the same top-up transaction.
      await world.deployment.marketplace.connect(await world.signer(key)).deposit(SIM_REQUESTER_DEPOSIT);
      const requester = new Requester(
        {
          node,
          marketplace: world.deployment.marketplace.connect(await world.signer(key)),
          key,
          logger: init.logger.child({ node: `requester-${i}` }),
        },
        { depositExtra: 10n ** 17n },
      );
      await requester.start();
      stack.push(() => requester.stop());
      requesters.push({ node, requester, address: privateKeyToAddress(key) });
    }
    const liveNodes = () => [
      { name: "bootstrap", node: boot },
      ...matchers.flatMap((m, i) => (m.crashed ? [] : [{ name: `matcher-${i}`, node: m.node }])),
      ...provers.filter((p) => !p.crashed).map((p) => ({ name: p.name, node: p.node })),
      ...requesters.map((r, i) => ({ name: `requester-${i}`, node: r.node })),
    ];
    return { world, markets, boot, matchers, provers, requesters, liveNodes, joinProver, nodeInit, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

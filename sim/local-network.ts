/** The sim network with every node in this process (`kalypso sim` without --processes). */
import { EventEmitter } from "node:events";
import { KalypsoNode } from "../node/kalypso-node.js";
import { topicsOf } from "../node/network/topics.js";
import { privateKeyToAddress } from "../protocol/index.js";
import { devnetMatcher, devnetNodeInit } from "./devnet/devnet-world.js";
import {
  localSimNode,
  type MatcherRoleNow,
  ProverMarkets,
  SIM_JOINER_PRICE,
  SIM_MIN_COLLATERAL,
  type SimMatcher,
  type SimNetwork,
  type SimNetworkInit,
  type SimNode,
  type SimProver,
  simPricing,
  startSimChain,
  startSimRequesters,
  Teardown,
  untilQuoted,
} from "./network.js";
import { SimError } from "./poll.js";
import { type SimPricing, simProver, watchProverLog } from "./sim-prover.js";
import { wireTopology, withSimNetwork } from "./topology.js";

/** Provers started at once while the network is built. */
const PROVER_STARTS_AT_ONCE = 8;

/** Start the chain, deploy, open the markets and start every node and role in this process. */
export async function startLocalNetwork(init: SimNetworkInit): Promise<SimNetwork> {
  const teardown = new Teardown(init.logger);
  try {
    const { world, markets } = await startSimChain(init, teardown);
    const proving = new ProverMarkets(markets);
    const nodeInit = (name: string, bootstrap: string[]) =>
      withSimNetwork(devnetNodeInit(world, init.dir, init.logger, name, bootstrap));
    const bootInit = nodeInit("bootstrap", []);
    const boot = await KalypsoNode.start({ ...bootInit, chain: { ...bootInit.chain!, autoStart: true } });
    teardown.push(() => boot.stop(), "bootstrap");
    const bootAddr = [boot.host.getMultiaddrs()[0]!.toString()];

    const matchers: (SimMatcher & { start(): Promise<void> })[] = [];
    for (const [i, key] of world.keys.matchers.entries()) {
      const name = `matcher-${i}`;
      const node = await KalypsoNode.start(nodeInit(name, bootAddr));
      const matcher = await devnetMatcher(world, node, i, init.logger);
      const sm = {
        name,
        node: localSimNode(name, node),
        address: privateKeyToAddress(key),
        crashed: false,
        get role(): MatcherRoleNow {
          return matcher.role;
        },
        onRole: (listener: (r: MatcherRoleNow) => void) => void matcher.on("role", listener),
        start: () => matcher.start(),
        async crash() {
          if (sm.crashed) return;
          sm.crashed = true;
          await matcher.stop();
          await node.stop();
        },
      };
      teardown.push(() => sm.crash(), name);
      matchers.push(sm);
    }
    // Roles start after every matcher node is up, so the first leader has followers from the start.
    for (const m of matchers) await m.start();

    const provers: SimProver[] = [];
    const startProver = async (
      i: number,
      key: Uint8Array,
      pricing: SimPricing,
      silent: boolean,
    ): Promise<SimProver> => {
      const name = `prover-${i}`;
      const proves = proving.deal(name, i);
      const ids = proving.ids(name);
      const node = await KalypsoNode.start({ ...nodeInit(name, bootAddr), topics: topicsOf("prover", ids) });
      const prover = simProver({
        node,
        marketplace: world.deployment.marketplace.connect(await world.signer(key)),
        key,
        markets: proves,
        pricing,
        minCollateral: SIM_MIN_COLLATERAL,
        silent,
        logger: init.logger.child({ node: name }),
      });
      const address = privateKeyToAddress(key);
      const held = new EventEmitter<{ held: [string, number] }>();
      const log = watchProverLog(node, address, (id, at) => held.emit("held", id, at));
      const sp = {
        name,
        node: localSimNode(name, node),
        address,
        silent,
        markets: ids,
        crashed: false,
        onHeld: (listener: (requestId: string, atMs: number) => void) => void held.on("held", listener),
        quotedMarkets: async (validAfter?: number) => log.quotedMarkets(validAfter),
        async crash() {
          if (sp.crashed) return;
          sp.crashed = true;
          await prover.stop();
          await node.stop();
        },
      };
      teardown.push(() => sp.crash(), name);
      await prover.start();
      return sp;
    };
    // Several at a time: each start waits on the chain (collateral) and the network, not the CPU.
    const keys = [...world.keys.provers.entries()];
    for (let i = 0; i < keys.length; i += PROVER_STARTS_AT_ONCE) {
      const batch = keys.slice(i, i + PROVER_STARTS_AT_ONCE);
      provers.push(
        ...(await Promise.all(
          batch.map(([j, key]) =>
            startProver(j, key, simPricing(j), init.silentProvers?.includes(j) ?? false),
          ),
        )),
      );
    }
    const hubs = () => matchers.filter((m) => !m.crashed).map((m) => m.node);
    const liveProvers = () => provers.filter((p) => !p.crashed).map((p) => p.node);
    await wireTopology(liveProvers(), hubs(), [], proving.of);
    // Once, for all: waiting batch by batch made a 100-node start wait up to 2 min per batch.
    await untilQuoted(provers);
    const spares = [...world.keys.spareProvers];
    const joinProver = async () => {
      const key = spares.shift();
      if (!key) throw new SimError("SIM_NO_SPARE_KEY", "sim: no funded key left for a joining prover");
      const sp = await startProver(provers.length, key, { ...simPricing(0), price: SIM_JOINER_PRICE }, false);
      await wireTopology([sp.node], hubs(), liveProvers(), proving.of);
      await untilQuoted([sp]);
      provers.push(sp);
      return sp;
    };

    const requesters = await startSimRequesters(
      world,
      (name) => nodeInit(name, bootAddr),
      init.logger,
      teardown,
    );
    await wireTopology(
      requesters.map((r, i) => localSimNode(`requester-${i}`, r.node)),
      hubs(),
      liveProvers(),
    );
    const bootNode = localSimNode("bootstrap", boot);
    const liveNodes = (): SimNode[] => [
      bootNode,
      ...matchers.filter((m) => !m.crashed).map((m) => m.node),
      ...provers.filter((p) => !p.crashed).map((p) => p.node),
      ...requesters.map((r, i) => localSimNode(`requester-${i}`, r.node)),
    ];
    return {
      mode: "in-process",
      world,
      markets,
      boot: bootNode,
      matchers,
      provers,
      requesters,
      liveNodes,
      joinProver,
      nodeInit,
      rssBytes: async () => process.memoryUsage().rss,
      stop: () => teardown.run(),
    };
  } catch (err) {
    await teardown.run();
    throw err;
  }
}

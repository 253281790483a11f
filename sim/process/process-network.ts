/**
 * The sim network in node processes (node-process.ts): with `kalypso sim --processes` the bootstrap
 * peer, every matcher and every prover each run in a process of their own; with `--shards <k>` the
 * bootstrap peer and matchers share a hub process and the provers are dealt round-robin over k
 * more (every core carries nodes, without a process per node's memory). anvil runs in its own, as
 * always. The requesters and any attacker peers stay in this controller process: they are the load
 * generator, and a request's publication time is measured where it is published.
 */
import { privateKeyToAddress, toHex } from "../../protocol/index.js";
import { deploymentRef, devnetNodeInit } from "../devnet/devnet-world.js";
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
} from "../network.js";
import { SimError } from "../poll.js";
import type { SimPricing } from "../sim-prover.js";
import { wireTopology, withSimNetwork } from "../topology.js";
import type { NodeSetup } from "./messages.js";
import { NodeChild, NodeProcess } from "./node-child.js";

/** A node process as a SimNode. */
function childSimNode(c: NodeChild): SimNode {
  return {
    name: c.name,
    peerId: c.peerId,
    multiaddrs: c.multiaddrs,
    blockPeer: async (peer) => void (await c.call({ op: "blockPeer", peer })),
    unblockPeer: async (peer) => void (await c.call({ op: "unblockPeer", peer })),
    logSeq: () => c.call({ op: "logSeq" }),
    connectedPeers: () => c.call({ op: "connectedPeers" }),
    dial: async (multiaddr) => void (await c.call({ op: "dial", multiaddr })),
    peerStanding: (peer) => c.call({ op: "peerStanding", peer }),
  };
}

/** Nodes a shard starts at once: each start waits on the chain and the network more than the CPU. */
const SHARD_STARTS_AT_ONCE = 8;

/**
 * Where nodes go: a process each (`shards` undefined); or the bootstrap peer and the matchers in
 * one hub process and the provers dealt round-robin over `shards` processes, each forked on first
 * use. A joining prover goes to the shard hosting the fewest nodes. The hub stands apart because in
 * production a matcher has a machine (an enclave) of its own: sharing a loop with 50 provers, the
 * leader's sequencing and anchoring queued behind their messages (anchor p50 at 100 nodes 1.7-4 s
 * with matchers dealt among the provers, 0.14-0.18 s apart, with a helper's bench on one core).
 */
class Placement {
  private readonly shards: NodeProcess[] = [];
  private hub: NodeProcess | undefined;
  private next = 0;
  constructor(private readonly count: number | undefined) {}

  /** How many setups may start side by side. */
  get wave(): number {
    return this.count === undefined ? Number.POSITIVE_INFINITY : this.count * SHARD_STARTS_AT_ONCE;
  }

  /** Start `setup` where it belongs: the next shard in turn, or for a joiner the least loaded. */
  start(setup: NodeSetup, joiner = false): Promise<NodeChild> {
    if (this.count === undefined) return NodeChild.start(setup);
    let p: NodeProcess;
    // The bootstrap peer and matchers: the hub process, as matchers run on machines of their own.
    if (setup.role !== "prover") p = this.hub ??= new NodeProcess();
    else if (!joiner) p = this.shards[this.next++ % this.count] ??= new NodeProcess();
    else p = this.shards.filter((s) => !s.gone).reduce((a, b) => (b.hosting < a.hosting ? b : a));
    if (!p || p.gone)
      return Promise.reject(new SimError("SIM_CHILD_FAILED", `sim: the shard for ${setup.name} has exited`));
    return p.host(setup);
  }

  /** Kill every shard and the hub if still running (the last teardown step; each exits with its last node). */
  killAll(): void {
    for (const p of this.shards) p.kill();
    this.hub?.kill();
  }
}

/** Start `setups` side by side (in waves); if any fails, the others are stopped too. Each is on `teardown`. */
async function startAll(setups: NodeSetup[], placement: Placement, teardown: Teardown): Promise<NodeChild[]> {
  const children: NodeChild[] = [];
  for (let i = 0; i < setups.length; i += placement.wave) {
    const started = await Promise.allSettled(
      setups.slice(i, i + placement.wave).map((s) => placement.start(s)),
    );
    for (const r of started) if (r.status === "fulfilled") teardown.push(() => r.value.stop(), r.value.name);
    const failed = started.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    children.push(...started.map((r) => (r as PromiseFulfilledResult<NodeChild>).value));
  }
  return children;
}

/** Start the chain, deploy, open the markets, and start the nodes in node processes. */
export async function startProcessNetwork(init: SimNetworkInit): Promise<SimNetwork> {
  const teardown = new Teardown(init.logger);
  const children: NodeChild[] = [];
  const placement = new Placement(init.shards);
  try {
    const { world, markets } = await startSimChain(init, teardown);
    const proving = new ProverMarkets(markets);
    teardown.push(async () => placement.killAll(), "shard processes");
    const common = { dir: init.dir, deployment: deploymentRef(world), logLevel: init.logLevel ?? "silent" };
    const [bootChild] = await startAll(
      [{ ...common, role: "bootstrap", name: "bootstrap", bootstrap: [] }],
      placement,
      teardown,
    );
    await bootChild!.call({ op: "startRole" });
    children.push(bootChild!);
    const bootstrap = [bootChild!.multiaddrs[0]!];

    const proverSetup = (i: number, key: Uint8Array, pricing: SimPricing, silent: boolean): NodeSetup => ({
      ...common,
      role: "prover",
      name: `prover-${i}`,
      bootstrap,
      key: toHex(key),
      markets: proving.deal(`prover-${i}`, i),
      pricing: { ...pricing, price: String(pricing.price) },
      minCollateral: String(SIM_MIN_COLLATERAL),
      silent,
    });
    // Every matcher and prover process loads and joins side by side: loading is most of a start.
    const silent = (i: number) => init.silentProvers?.includes(i) ?? false;
    const proverKeys = world.keys.provers;
    const all = await startAll(
      [
        ...world.keys.matchers.map(
          (key, i): NodeSetup => ({
            ...common,
            role: "matcher",
            name: `matcher-${i}`,
            bootstrap,
            key: toHex(key),
            attestationKey: toHex(world.keys.verifier),
          }),
        ),
        ...proverKeys.map((key, i) => proverSetup(i, key, simPricing(i), silent(i))),
      ],
      placement,
      teardown,
    );
    children.push(...all);
    const matcherChildren = all.slice(0, world.keys.matchers.length);
    const proverChildren = all.slice(world.keys.matchers.length);
    // Each matcher's role as it last reported it: from its role start, then every change.
    const roles: MatcherRoleNow[] = matcherChildren.map(() => ({ role: "follower", term: 0 }));
    const matchers: SimMatcher[] = matcherChildren.map((c, i) => {
      c.on("role", (r) => (roles[i] = { role: r.role, term: r.term }));
      return {
        name: c.name,
        node: childSimNode(c),
        address: privateKeyToAddress(world.keys.matchers[i]!),
        get role() {
          return roles[i]!;
        },
        onRole: (listener) => void c.on("role", (r) => listener({ role: r.role, term: r.term })),
        get crashed() {
          return c.gone;
        },
        crash: () => c.crash(),
      };
    });
    // Roles start after every matcher node is up, so the first leader has followers from the start.
    for (const [i, c] of matcherChildren.entries())
      roles[i] = (await c.call({ op: "startRole" })) ?? roles[i]!;

    const provers: SimProver[] = [];
    const asProver = (c: NodeChild, key: Uint8Array, silent: boolean): SimProver => ({
      name: c.name,
      node: childSimNode(c),
      address: privateKeyToAddress(key),
      silent,
      markets: proving.ids(c.name),
      get crashed() {
        return c.gone;
      },
      crash: () => c.crash(),
      onHeld: (listener) => void c.on("held", listener),
      quotedMarkets: (validAfter) => c.call({ op: "quotedMarkets", validAfter }),
    });
    // Each prover tops up its collateral before it quotes; from separate accounts, so side by side.
    await Promise.all(proverChildren.map((c) => c.call({ op: "startRole" })));
    for (const [i, c] of proverChildren.entries()) provers.push(asProver(c, proverKeys[i]!, silent(i)));
    const hubs = () => matchers.filter((m) => !m.crashed).map((m) => m.node);
    const liveProvers = () => provers.filter((p) => !p.crashed).map((p) => p.node);
    await wireTopology(liveProvers(), hubs(), [], proving.of);
    await untilQuoted(provers);

    const spares = [...world.keys.spareProvers];
    const joinProver = async () => {
      const key = spares.shift();
      if (!key) throw new SimError("SIM_NO_SPARE_KEY", "sim: no funded key left for a joining prover");
      const pricing = { ...simPricing(0), price: SIM_JOINER_PRICE };
      const i = provers.length;
      const c = await placement.start(proverSetup(i, key, pricing, false), true);
      teardown.push(() => c.stop(), c.name);
      children.push(c);
      await c.call({ op: "startRole" });
      const p = asProver(c, key, false);
      await wireTopology([p.node], hubs(), liveProvers(), proving.of);
      await untilQuoted([p]);
      provers.push(p);
      return p;
    };

    const nodeInit = (name: string, bs: string[]) =>
      withSimNetwork(devnetNodeInit(world, init.dir, init.logger, name, bs));
    const requesters = await startSimRequesters(
      world,
      (name) => nodeInit(name, bootstrap),
      init.logger,
      teardown,
    );
    await wireTopology(
      requesters.map((r, i) => localSimNode(`requester-${i}`, r.node)),
      hubs(),
      liveProvers(),
    );
    const boot = childSimNode(bootChild!);
    const liveNodes = (): SimNode[] => [
      ...(bootChild!.gone ? [] : [boot]),
      ...matchers.filter((m) => !m.crashed).map((m) => m.node),
      ...provers.filter((p) => !p.crashed).map((p) => p.node),
      ...requesters.map((r, i) => localSimNode(`requester-${i}`, r.node)),
    ];
    const rssBytes = async () => {
      // One reading per process, through any node it still runs; a process that exits between the
      // check and the call is not running a node any more: 0.
      const byProcess = new Map<NodeProcess, NodeChild>();
      for (const c of children) if (!c.gone) byProcess.set(c.process, c);
      const each = await Promise.all(
        [...byProcess.values()].map((c) => c.call({ op: "rss" }, 5_000).catch(() => 0)),
      );
      return each.reduce((a, b) => a + b, process.memoryUsage().rss);
    };
    return {
      mode: init.shards === undefined ? "processes" : "shards",
      world,
      markets,
      boot,
      matchers,
      provers,
      requesters,
      liveNodes,
      joinProver,
      nodeInit,
      rssBytes,
      stop: () => teardown.run(),
    };
  } catch (err) {
    await teardown.run();
    throw err;
  }
}

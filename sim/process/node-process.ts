/**
 * A node process of the sim: forked by the controller (node-child.ts), it is sent a setup over IPC
 * for each node it hosts (one with --processes, several with --shards), starts each KalypsoNode and
 * its role (bootstrap, matcher or prover) against the dev chain by URL, reports `ready`, forwards
 * what the recorder needs (role changes, held assignments) and answers the controller's calls to
 * each node. A node alone in its process exits the process on `crash` (a real crash); one sharing
 * it is stopped at once. The process exits once its last node has stopped, and whenever the
 * controller goes away (the IPC channel closes), so it never outlives it.
 */
import "../../node/polyfill.js";
import { setMaxListeners } from "node:events";
import { makeProvider } from "../../chain/provider.js";
import { KalypsoNode } from "../../node/kalypso-node.js";
import { createLogger } from "../../node/logger.js";
import { topicsOf } from "../../node/network/topics.js";
import { fromHex, privateKeyToAddress } from "../../protocol/index.js";
import { deploymentClients, deploymentNodeInit, emulatedMatcher } from "../devnet/deployment-ref.js";
import { simProver, watchProverLog } from "../sim-prover.js";
import { withSimNetwork } from "../topology.js";
import type { ControlMessage, NodeCall, NodeCallResults, NodeReport, NodeSetup } from "./messages.js";

// As in cli/main.ts: libp2p queues one abort listener per concurrent peer store write.
setMaxListeners(200);

const send = (m: NodeReport, then?: () => void) => {
  if (!process.connected) process.exit(0);
  process.send!(m, undefined, {}, () => then?.());
};

if (!process.send) {
  console.error("sim node process: start me with child_process.fork (I take my setup over IPC)");
  process.exit(2);
}
// The controller is gone (exited, crashed, killed): so are we.
process.on("disconnect", () => process.exit(0));

/** A started node with its role. */
interface Running {
  node: KalypsoNode;
  startRole(): Promise<NodeCallResults["startRole"]>;
  /** A prover's: markets whose quote from it the sequenced log carries. */
  quotedMarkets?(validAfter?: number): number;
  stop(): Promise<void>;
}

async function start(s: NodeSetup): Promise<Running> {
  const logger = createLogger({ level: s.logLevel, name: s.name });
  // Poll as the dev chain's own provider does: anvil mines in milliseconds.
  const provider = makeProvider(s.deployment.rpcUrl, {
    chainId: s.deployment.chainId,
    pollingIntervalMs: 20,
  });
  const init = withSimNetwork(deploymentNodeInit(s.deployment, provider, s.dir, logger, s.name, s.bootstrap));
  // A prover takes the requests of the markets it proves only.
  if (s.role === "prover")
    init.topics = topicsOf(
      "prover",
      s.markets.map((m) => m.marketId),
    );
  const node = await KalypsoNode.start(init);
  const stopNode = async () => {
    await node.stop();
    provider.destroy();
  };
  switch (s.role) {
    case "bootstrap": {
      const startRole = async () => {
        await node.startChain();
        return null;
      };
      return { node, startRole, stop: stopNode };
    }
    case "matcher": {
      const key = fromHex(s.key);
      const signer = await provider.getSigner(privateKeyToAddress(key));
      const parts = { key, attestationKey: fromHex(s.attestationKey), signer, ref: s.deployment, provider };
      const matcher = emulatedMatcher(node, parts, logger, s.name);
      matcher.on("role", (r) => send({ type: "role", node: s.name, role: r.role, term: r.term }));
      const startRole = async () => {
        await matcher.start();
        return matcher.role;
      };
      const stop = async () => {
        await matcher.stop();
        await stopNode();
      };
      return { node, startRole, stop };
    }
    case "prover": {
      const key = fromHex(s.key);
      const address = privateKeyToAddress(key);
      const prover = simProver({
        node,
        marketplace: deploymentClients(s.deployment, await provider.getSigner(address)).marketplace,
        key,
        markets: s.markets,
        pricing: { ...s.pricing, price: BigInt(s.pricing.price) },
        minCollateral: BigInt(s.minCollateral),
        silent: s.silent,
        logger: logger.child({ node: s.name }),
      });
      const log = watchProverLog(node, address, (requestId, atMs) =>
        send({ type: "held", node: s.name, requestId, atMs }),
      );
      const startRole = async () => {
        await prover.start();
        return null;
      };
      const stop = async () => {
        await prover.stop();
        await stopNode();
      };
      return { node, startRole, quotedMarkets: (validAfter) => log.quotedMarkets(validAfter), stop };
    }
  }
}

/** The nodes this process hosts, by name, from their setup on (a failed start is removed). */
const hosted = new Map<string, Promise<Running>>();

async function answer(r: Running, call: NodeCall): Promise<NodeCallResults[NodeCall["op"]]> {
  const node = r.node;
  switch (call.op) {
    case "startRole":
      return r.startRole();
    case "blockPeer":
      await node.blockPeer(call.peer);
      return null;
    case "unblockPeer":
      node.unblockPeer(call.peer);
      return null;
    case "logSeq":
      return node.logSeq;
    case "connectedPeers":
      return node.host.getConnections().map((c) => c.remotePeer.toString());
    case "dial":
      await node.dial(call.multiaddr);
      return null;
    case "peerStanding":
      return { score: node.penalties.score(call.peer), rejects: node.penalties.rejects(call.peer) };
    case "rss":
      return process.memoryUsage().rss;
    case "quotedMarkets":
      return r.quotedMarkets?.(call.validAfter) ?? 0;
    case "crash":
    case "stop":
      await r.stop();
      return null;
  }
}

const codeOf = (err: unknown) => (err as { code?: unknown }).code;
const failure = (err: unknown) => ({
  code: typeof codeOf(err) === "string" ? (codeOf(err) as string) : "UNKNOWN",
  message: err instanceof Error ? err.message : String(err),
});

function onSetup(setup: NodeSetup): void {
  if (hosted.has(setup.name)) return;
  const running = start(setup);
  hosted.set(setup.name, running);
  running.then(
    (r) => {
      const address = "key" in setup ? privateKeyToAddress(fromHex(setup.key)) : null;
      send({
        type: "ready",
        node: setup.name,
        peerId: r.node.identity.peerId.toString(),
        multiaddrs: r.node.host.getMultiaddrs().map(String),
        address,
      });
    },
    (err) => {
      hosted.delete(setup.name);
      send({ type: "failed", node: setup.name, ...failure(err) }, () => {
        if (hosted.size === 0) process.exit(1);
      });
    },
  );
}

function onCall(id: number, name: string, call: NodeCall): void {
  const running = hosted.get(name);
  if (!running) {
    send({ type: "reply", id, ok: false, code: "SIM_CHILD_FAILED", message: `no node ${name} here` });
    return;
  }
  // Alone, a crash is the process's: it exits at once, as a crashed machine would, and never replies.
  if (call.op === "crash" && hosted.size === 1) process.exit(1);
  const ending = call.op === "stop" || call.op === "crash";
  running
    .then((r) => answer(r, call))
    .then(
      (value) => {
        if (ending) hosted.delete(name);
        send({ type: "reply", id, ok: true, value }, () => {
          if (ending && hosted.size === 0) process.exit(0);
        });
      },
      (err) => send({ type: "reply", id, ok: false, ...failure(err) }),
    );
}

process.on("message", (raw: ControlMessage) => {
  if (raw.type === "setup") onSetup(raw.setup);
  else if (raw.type === "call") onCall(raw.id, raw.node, raw.call);
});

/**
 * A sim node in its own process: forked by the controller (node-child.ts), it is sent its setup over
 * IPC, starts one KalypsoNode and its role (bootstrap, matcher or prover) against the dev chain by
 * URL, reports `ready`, forwards what the recorder needs (role changes, held assignments) and
 * answers the controller's calls. It exits when told to stop, at once on `crash`, and whenever the
 * controller goes away (the IPC channel closes), so it never outlives it.
 */
import "../../node/polyfill.js";
import { setMaxListeners } from "node:events";
import { makeProvider } from "../../chain/provider.js";
import { KalypsoNode } from "../../node/kalypso-node.js";
import { createLogger } from "../../node/logger.js";
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
  quotedMarkets?(): number;
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
      matcher.on("role", (r) => send({ type: "role", role: r.role, term: r.term }));
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
      const log = watchProverLog(node, address, (requestId, atMs) => send({ type: "held", requestId, atMs }));
      const startRole = async () => {
        await prover.start();
        return null;
      };
      const stop = async () => {
        await prover.stop();
        await stopNode();
      };
      return { node, startRole, quotedMarkets: () => log.quotedMarkets.size, stop };
    }
  }
}

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
      return r.quotedMarkets?.() ?? 0;
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

let running: Promise<Running> | undefined;
process.on("message", (raw: ControlMessage) => {
  if (raw.type === "crash") process.exit(1);
  if (raw.type === "setup" && !running) {
    running = start(raw.setup);
    running.then(
      (r) => {
        const address = "key" in raw.setup ? privateKeyToAddress(fromHex(raw.setup.key)) : null;
        send({
          type: "ready",
          peerId: r.node.identity.peerId.toString(),
          multiaddrs: r.node.host.getMultiaddrs().map(String),
          address,
        });
      },
      (err) => send({ type: "failed", ...failure(err) }, () => process.exit(1)),
    );
  }
  if (raw.type === "call") {
    const { id, call } = raw;
    if (!running)
      return send({ type: "reply", id, ok: false, code: "SIM_CHILD_FAILED", message: "no setup yet" });
    running
      .then((r) => answer(r, call))
      .then(
        (value) =>
          send(
            { type: "reply", id, ok: true, value },
            call.op === "stop" ? () => process.exit(0) : undefined,
          ),
        (err) => send({ type: "reply", id, ok: false, ...failure(err) }),
      );
  }
});

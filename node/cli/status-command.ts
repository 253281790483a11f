/**
 * `kalypso status`: a node's status as JSON. With `--peer`, asked over `/kalypso/status/1.0.0`
 * from a short-lived host with a throwaway key; without, read from the local data dir's store
 * (which a running node holds locked: ask it with --peer instead).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { multiaddr } from "@multiformats/multiaddr";
import type { Command } from "commander";
import { makeDomain } from "../../protocol/index.js";
import { loadNodeConfig } from "../config.js";
import { NodeError } from "../errors.js";
import { identityFromKey } from "../identity.js";
import { KalypsoNode } from "../kalypso-node.js";
import { createHost } from "../network/host.js";
import { PeerPenalties } from "../network/peer-penalties.js";
import { RpcClient } from "../network/rpc/rpc-client.js";

interface StatusFlags {
  peer?: string;
  config?: string;
  dataDir?: string;
  timeout?: string;
}

/** How long a peer has to answer by default: a live node answers in milliseconds. */
const DEFAULT_STATUS_TIMEOUT_MS = 10_000;

/** Ask the node at `addr` (a multiaddr with /p2p/<id>) for its status. */
export async function peerStatus(
  addr: string,
  options: { signal?: AbortSignal } = {},
): Promise<Record<string, unknown>> {
  let ma: ReturnType<typeof multiaddr>;
  try {
    ma = multiaddr(addr);
  } catch (err) {
    throw new NodeError(
      "CONFIG_INVALID",
      `peer must be a multiaddr, got ${JSON.stringify(addr)}: ${String(err)}`,
    );
  }
  const peerId = ma.getComponents().find((c) => c.name === "p2p")?.value;
  if (!peerId) throw new NodeError("CONFIG_INVALID", `peer ${addr} must end with /p2p/<peer id>`);
  // A throwaway key: asking for a status should not reveal (or need) the operator's node key.
  let key: Uint8Array;
  // A first byte below 0xff keeps the key under the curve order.
  do key = new Uint8Array(randomBytes(32));
  while (key[0] === 0xff);
  const host = await createHost({ identity: identityFromKey(key) }, { listen: [], localNetwork: true });
  try {
    const conn = await host.dial(ma, { signal: options.signal });
    return await new RpcClient({ host, penalties: new PeerPenalties() }).status(conn.remotePeer, options);
  } finally {
    await host.stop();
  }
}

/** Register `kalypso status`. */
export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("print a node's status as JSON: a peer's over the network, or the local data dir's")
    .option("--peer <multiaddr>", "ask this node (a multiaddr ending in /p2p/<peer id>)")
    .option("--config <file>", "JSON config file (for the data dir)")
    .option("--data-dir <dir>", "the local node's data dir (default .kalypso)")
    .option("--timeout <ms>", `how long the peer has to answer (default ${DEFAULT_STATUS_TIMEOUT_MS})`)
    .action(async (flags: StatusFlags) => {
      const timeoutMs = flags.timeout === undefined ? DEFAULT_STATUS_TIMEOUT_MS : Number(flags.timeout);
      if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
        throw new NodeError(
          "CONFIG_INVALID",
          `timeout from the command line must be milliseconds >= 1, got ${JSON.stringify(flags.timeout)}`,
        );
      }
      if (flags.peer) {
        const status = await peerStatus(flags.peer, { signal: AbortSignal.timeout(timeoutMs) });
        console.log(JSON.stringify(status, null, 2));
        return;
      }
      const config = await loadNodeConfig({ file: flags.config, flags: { dataDir: flags.dataDir } });
      // Opening a node on a missing dir would create one with a fresh key: report it instead.
      if (!existsSync(config.dataDir)) {
        throw new NodeError(
          "CONFIG_INVALID",
          `dataDir ${config.dataDir} does not exist: no local node to report on`,
        );
      }
      let node: KalypsoNode;
      try {
        node = await KalypsoNode.start({
          dataDir: config.dataDir,
          domains: {
            market: makeDomain(config.chainId, config.marketplace),
            matcher: makeDomain(config.chainId, config.registry),
          },
          network: { listen: [], localNetwork: true },
          role: "status",
        });
      } catch (err) {
        throw new NodeError(
          "CONFIG_INVALID",
          `dataDir ${config.dataDir}: cannot open the store (${(err as Error).message}); if a node runs there, use --peer`,
        );
      }
      try {
        console.log(JSON.stringify({ dataDir: config.dataDir, ...(await node.status()) }, null, 2));
      } finally {
        await node.stop();
      }
    });
}

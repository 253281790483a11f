/**
 * `kalypso bootstrap`: a well-known peer that new nodes dial first. It keeps a fixed key (so its
 * multiaddr is stable across restarts), serves the DHT and relays the network-wide topics, and
 * prints — and optionally writes — the bootstrap list other nodes use to join.
 */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadNodeConfig } from "../node/config.js";
import { KalypsoNode } from "../node/kalypso-node.js";
import { createLogger } from "../node/logger.js";
import { formatBootstrapList } from "../node/network/bootstrap-list.js";
import { makeDomain } from "../protocol/index.js";

/** Default port of a bootstrap peer: fixed, so its multiaddr can be published. */
export const DEFAULT_BOOTSTRAP_PORT = 4001;

interface BootstrapFlags {
  dataDir: string;
  listen?: string;
  port: string;
  listOut?: string;
  local?: boolean;
  config?: string;
}

export function registerBootstrapCommand(program: Command): void {
  program
    .command("bootstrap")
    .description("run a bootstrap peer with a fixed key and print the bootstrap list for others")
    .option("--data-dir <dir>", "where its key file and LevelDB live", ".kalypso-bootstrap")
    .option(
      "--port <port>",
      "TCP port on 127.0.0.1 when --listen is not given",
      String(DEFAULT_BOOTSTRAP_PORT),
    )
    .option("--listen <multiaddrs>", "comma-separated listen addresses (overrides --port)")
    .option("--list-out <file>", "also write the bootstrap list (one multiaddr per line) to this file")
    .option("--config <file>", "JSON config file (chain id and contract addresses of the deployment)")
    .option("--local", "all peers on one host: relax per-IP limits")
    .action(async (flags: BootstrapFlags) => {
      const config = await loadNodeConfig({
        file: flags.config,
        flags: {
          role: "observer",
          dataDir: flags.dataDir,
          listen: flags.listen ?? `/ip4/127.0.0.1/tcp/${flags.port}`,
          localNetwork: flags.local,
        },
      });
      const log = createLogger({ level: config.logLevel, name: "bootstrap" });
      const node = await KalypsoNode.start({
        dataDir: config.dataDir,
        domains: {
          market: makeDomain(config.chainId, config.marketplace),
          matcher: makeDomain(config.chainId, config.registry),
        },
        network: { listen: config.listen, localNetwork: config.localNetwork },
        role: "bootstrap",
        logger: log,
      });
      const addrs = node.host.getMultiaddrs().map(String);
      for (const a of addrs) console.log(a);
      if (flags.listOut) await writeFile(flags.listOut, formatBootstrapList(addrs, "kalypso bootstrap peer"));
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      await node.stop();
    });
}

/**
 * `kalypso node`: run a peer with a role, joined through a bootstrap list. Runs until SIGINT or
 * SIGTERM, then stops cleanly (store flushed and closed).
 */
import type { Command } from "commander";
import { makeDomain } from "../../protocol/index.js";
import { loadNodeConfig, type NodeConfig, ROLES } from "../config.js";
import { KalypsoNode } from "../kalypso-node.js";
import { createLogger } from "../logger.js";
import { MetricsServer } from "../metrics-server.js";
import { readBootstrapList } from "../network/bootstrap-list.js";

interface NodeFlags {
  role?: string;
  config?: string;
  dataDir?: string;
  listen?: string;
  bootstrap?: string;
  bootstrapFile?: string;
  chain?: string;
  chainId?: string;
  marketplace?: string;
  registry?: string;
  metricsPort?: string;
  local?: boolean;
}

/** Run a node until a signal; resolves when it has stopped. */
export async function runNode(config: NodeConfig): Promise<void> {
  const log = createLogger({ level: config.logLevel, name: config.role });
  const node = await KalypsoNode.start({
    dataDir: config.dataDir,
    domains: {
      market: makeDomain(config.chainId, config.marketplace),
      matcher: makeDomain(config.chainId, config.registry),
    },
    network: { listen: config.listen, bootstrap: config.bootstrap, localNetwork: config.localNetwork },
    markets: Object.fromEntries(Object.entries(config.markets).map(([k, v]) => [Number(k), v])),
    role: config.role,
    logger: log,
  });
  const metrics = new MetricsServer(node.metrics.registry);
  if (config.metricsPort >= 0) {
    const port = await metrics.start(config.metricsPort);
    log.info({ url: `http://127.0.0.1:${port}/metrics` }, "metrics endpoint");
  }
  for (const addr of node.host.getMultiaddrs()) console.log(`listening ${addr.toString()}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  log.info("stopping");
  await metrics.stop();
  await node.stop();
}

export function registerNodeCommand(program: Command): void {
  program
    .command("node")
    .description("run a Kalypso peer with a role, joined through a bootstrap list")
    .option("--role <role>", `one of ${ROLES.join(", ")} (default observer)`)
    .option("--config <file>", "JSON config file; environment variables and flags override it")
    .option("--data-dir <dir>", "where the key file and the LevelDB live (default .kalypso)")
    .option("--listen <multiaddrs>", "comma-separated listen addresses (default /ip4/127.0.0.1/tcp/0)")
    .option(
      "--bootstrap <multiaddrs>",
      "comma-separated multiaddrs (with /p2p/<id>) of peers to join through",
    )
    .option(
      "--bootstrap-file <file>",
      "a bootstrap list file: one multiaddr per line (see kalypso bootstrap --list-out)",
    )
    .option("--chain <url>", "JSON-RPC endpoint of the chain (default http://127.0.0.1:8545)")
    .option("--chain-id <id>", "chain id of the deployment (default 31337)")
    .option("--marketplace <address>", "marketplace contract address")
    .option("--registry <address>", "matcher registry contract address")
    .option(
      "--metrics-port <port>",
      "serve Prometheus metrics at http://127.0.0.1:<port>/metrics (0: any port)",
    )
    .option("--local", "all peers on one host: relax per-IP limits")
    .addHelpText(
      "after",
      "\nEnvironment: KALYPSO_ROLE, KALYPSO_DATA_DIR, KALYPSO_LISTEN, KALYPSO_BOOTSTRAP, KALYPSO_CHAIN_RPC,\n" +
        "KALYPSO_CHAIN_ID, KALYPSO_MARKETPLACE, KALYPSO_REGISTRY, KALYPSO_METRICS_PORT, LOG_LEVEL,\n" +
        "KALYPSO_PRIVATE_KEY (instead of the key file <data-dir>/node.key).",
    )
    .action(async (flags: NodeFlags) => {
      const config = await loadNodeConfig({
        file: flags.config,
        flags: {
          role: flags.role,
          dataDir: flags.dataDir,
          listen: flags.listen,
          bootstrap: flags.bootstrapFile
            ? [
                ...(flags.bootstrap?.split(",") ?? []),
                ...(await readBootstrapList(flags.bootstrapFile)),
              ].join(",")
            : flags.bootstrap,
          chainRpc: flags.chain,
          chainId: flags.chainId,
          marketplace: flags.marketplace,
          registry: flags.registry,
          metricsPort: flags.metricsPort,
          localNetwork: flags.local,
        },
      });
      await runNode(config);
    });
}

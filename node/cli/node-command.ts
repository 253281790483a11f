/**
 * `kalypso node`: run a peer with a role, joined through a bootstrap list. Runs until SIGINT or
 * SIGTERM, then stops cleanly (store flushed and closed).
 */
import type { Command } from "commander";
import { DEFAULT_NODE_CONFIG, loadNodeConfig, type NodeConfig, ROLES } from "../config.js";
import { createLogger } from "../logger.js";
import { MetricsServer } from "../metrics-server.js";
import { readBootstrapList } from "../network/bootstrap-list.js";
import { hasSemiSpaceFlag, SEMI_SPACE_FLAG } from "../young-generation.js";
import { openChain } from "./chain-context.js";
import { type RunningRole, startRole } from "./node-roles.js";

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
  marketFile?: string[];
  marketId?: string;
  price?: string;
  provingTime?: string;
  capacity?: string;
  minCollateral?: string;
  confirmations?: string;
  fromBlock?: string;
}

/** Run a node with its role until a signal; resolves when it has stopped. */
export async function runNode(config: NodeConfig): Promise<void> {
  const log = createLogger({ level: config.logLevel, name: config.role });
  // An observer with no deployment configured still gossips and serves sync: the network alone.
  const networkOnly = config.role === "observer" && config.marketplace === DEFAULT_NODE_CONFIG.marketplace;
  const ctx = networkOnly ? undefined : await openChain(config, config.role === "matcher");
  let role: RunningRole;
  try {
    role = await startRole(config, ctx, log);
  } catch (err) {
    ctx?.stop();
    throw err;
  }
  log.info(
    { role: config.role, address: role.node.identity.address, chain: ctx && config.chainRpc },
    "role started",
  );
  if (config.role === "matcher" && !hasSemiSpaceFlag()) {
    log.warn(
      { want: `NODE_OPTIONS=${SEMI_SPACE_FLAG}` },
      "matcher runs with V8's default young generation: matching is ~20 % slower; restart it with the flag",
    );
  }
  const metrics = new MetricsServer(role.node.metrics.registry);
  if (config.metricsPort >= 0) {
    const port = await metrics.start(config.metricsPort);
    log.info({ url: `http://127.0.0.1:${port}/metrics` }, "metrics endpoint");
  }
  for (const addr of role.node.host.getMultiaddrs()) console.log(`listening ${addr.toString()}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  log.info("stopping");
  await metrics.stop();
  await role.stop();
  ctx?.stop();
}

export function registerNodeCommand(program: Command): void {
  program
    .command("node")
    .description(
      "run a Kalypso peer with a role (observer, requester, prover, matcher) following the deployment on --chain",
    )
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
    .option("--confirmations <n>", "blocks an event must be buried under before it counts (default 1)")
    .option("--from-block <n>", "first block to read when the store has no cursor (default 0)")
    .option(
      "--market-file <file>",
      "prover: a market description file it serves (repeat for more)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--market-id <ids>", "prover: the on-chain market id of each --market-file (comma-separated)")
    .option("--price <wei>", "prover: price per proof, in wei")
    .option("--proving-time <s>", "prover: seconds promised per proof (default 60)")
    .option("--capacity <n>", "prover: requests taken at once (default 1)")
    .option("--min-collateral <wei>", "prover: free collateral topped up to at start (default 0)")
    .addHelpText(
      "after",
      "\nEnvironment: KALYPSO_ROLE, KALYPSO_DATA_DIR, KALYPSO_LISTEN, KALYPSO_BOOTSTRAP, KALYPSO_CHAIN_RPC,\n" +
        "KALYPSO_CHAIN_ID, KALYPSO_MARKETPLACE, KALYPSO_REGISTRY, KALYPSO_METRICS_PORT, LOG_LEVEL,\n" +
        "KALYPSO_MARKET_FILES, KALYPSO_MARKET_IDS, KALYPSO_PRICE, KALYPSO_PROVING_TIME, KALYPSO_CAPACITY,\n" +
        "KALYPSO_MIN_COLLATERAL, KALYPSO_CONFIRMATIONS, KALYPSO_FROM_BLOCK,\n" +
        "KALYPSO_PRIVATE_KEY (instead of the key file <data-dir>/node.key; it sends the role's transactions),\n" +
        "KALYPSO_EMULATED_ATTESTATION_KEY (matcher: signs emulated attestations; default the node key).",
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
          marketFiles: flags.marketFile?.join(","),
          marketIds: flags.marketId,
          price: flags.price,
          provingTime: flags.provingTime,
          capacity: flags.capacity,
          minCollateral: flags.minCollateral,
          confirmations: flags.confirmations,
          fromBlock: flags.fromBlock,
        },
      });
      await runNode(config);
    });
}

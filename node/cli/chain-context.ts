/**
 * What every chain-facing command shares: the common flags (config file, data dir, chain, the
 * deployment's addresses), the node key as an ethers Wallet (the account that sends transactions),
 * and typed clients of the marketplace and the registry on that wallet.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { type JsonRpcProvider, Wallet } from "ethers";
import { compileContracts, MarketplaceClient, makeProvider, RegistryClient } from "../../chain/index.js";
import { toHex } from "../../protocol/index.js";
import { loadNodeConfig, type NodeConfig } from "../config.js";
import { NodeError } from "../errors.js";
import { loadIdentity, type NodeIdentity, PRIVATE_KEY_ENV } from "../identity.js";

/** Flags every chain-facing command takes, as commander hands them over. */
export interface ChainFlags {
  config?: string;
  dataDir?: string;
  chain?: string;
  chainId?: string;
  marketplace?: string;
  registry?: string;
}

/** A connected command: config, key, provider, wallet and clients. `stop()` releases the provider. */
export interface ChainContext {
  config: NodeConfig;
  identity: NodeIdentity;
  provider: JsonRpcProvider;
  wallet: Wallet;
  marketplace: MarketplaceClient;
  registry: RegistryClient;
  artifacts: ReturnType<typeof compileContracts>;
  stop(): void;
}

const ZERO = "0x0000000000000000000000000000000000000000";

/** Add the shared chain flags to `cmd`. */
export function addChainOptions(cmd: Command): Command {
  return cmd
    .option("--config <file>", "JSON config file; environment variables and flags override it")
    .option("--data-dir <dir>", "where the key file <data-dir>/node.key lives (default .kalypso)")
    .option("--chain <url>", "JSON-RPC endpoint of the chain (default http://127.0.0.1:8545)")
    .option("--chain-id <id>", "chain id of the deployment (default 31337)")
    .option("--marketplace <address>", "marketplace contract address")
    .option("--registry <address>", "matcher registry contract address")
    .addHelpText(
      "after",
      "\nEnvironment: KALYPSO_DATA_DIR, KALYPSO_CHAIN_RPC, KALYPSO_CHAIN_ID, KALYPSO_MARKETPLACE,\n" +
        "KALYPSO_REGISTRY, LOG_LEVEL, KALYPSO_PRIVATE_KEY (instead of the key file).",
    );
}

/** The config of a command: defaults <- file <- env <- the shared flags <- `extra` flags. */
export function loadChainConfig(
  flags: ChainFlags,
  extra: Partial<Record<keyof NodeConfig, unknown>> = {},
): Promise<NodeConfig> {
  return loadNodeConfig({
    file: flags.config,
    flags: {
      dataDir: flags.dataDir,
      chainRpc: flags.chain,
      chainId: flags.chainId,
      marketplace: flags.marketplace,
      registry: flags.registry,
      ...extra,
    },
  });
}

/** Connect as the node key; the marketplace address must be set (the registry only when `needRegistry`). */
export async function openChain(config: NodeConfig, needRegistry = false): Promise<ChainContext> {
  if (config.marketplace === ZERO) {
    throw new NodeError(
      "CONFIG_INVALID",
      "marketplace is not set: pass --marketplace <address>, KALYPSO_MARKETPLACE, or marketplace in the config file",
    );
  }
  if (needRegistry && config.registry === ZERO) {
    throw new NodeError(
      "CONFIG_INVALID",
      "registry is not set: pass --registry <address>, KALYPSO_REGISTRY, or registry in the config file",
    );
  }
  const identity = await loadIdentity(join(config.dataDir, "node.key"));
  // Poll often: a command waits on its own receipts, and a dev chain mines in milliseconds.
  const provider = makeProvider(config.chainRpc, { chainId: config.chainId, pollingIntervalMs: 250 });
  const wallet = new Wallet(toHex(identity.privateKey), provider);
  const artifacts = compileContracts();
  const marketplace = new MarketplaceClient(config.marketplace, artifacts.Marketplace!.abi as never, wallet, [
    artifacts.MatcherRegistry!.abi as never,
  ]);
  const registry = new RegistryClient(config.registry, artifacts.MatcherRegistry!.abi as never, wallet);
  return {
    config,
    identity,
    provider,
    wallet,
    marketplace,
    registry,
    artifacts,
    stop: () => provider.destroy(),
  };
}

/** Parse a wei amount (a non-negative integer); errors name the field. */
export function parseWei(field: string, raw: string | undefined, fallback?: bigint): bigint {
  if (raw === undefined && fallback !== undefined) return fallback;
  if (raw === undefined || !/^(0|[1-9][0-9]*)$/.test(raw.trim())) {
    throw new NodeError(
      "CONFIG_INVALID",
      `${field} from the command line must be an amount in wei (a whole number), got ${JSON.stringify(raw)}`,
    );
  }
  return BigInt(raw.trim());
}

/** Parse whole seconds or a count >= min; errors name the field. */
export function parseIntFlag(field: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new NodeError(
      "CONFIG_INVALID",
      `${field} from the command line must be a whole number >= ${min}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/**
 * Run `start` (which starts a short-lived node) with KALYPSO_PRIVATE_KEY hidden, so that node gets
 * a fresh peer id of its own in its temp data dir: the operator's long-running node may be online
 * with the node key's peer id, and two peers with one id break each other's connections.
 * Gossip is unsigned (StrictNoSign), so nothing the network checks depends on the peer id.
 */
export async function withFreshPeerId<T>(start: () => Promise<T>): Promise<T> {
  const saved = process.env[PRIVATE_KEY_ENV];
  delete process.env[PRIVATE_KEY_ENV];
  try {
    return await start();
  } finally {
    if (saved !== undefined) process.env[PRIVATE_KEY_ENV] = saved;
  }
}

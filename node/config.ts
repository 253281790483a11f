/**
 * Node configuration: defaults, then a JSON file, then environment variables, then command-line
 * flags, each overriding the one before. Every value is checked, and an error names the field,
 * where it came from, and what is expected.
 */
import { readFile } from "node:fs/promises";
import { type Address, isHexOfLength, type MarketRules } from "../protocol/index.js";
import { NodeError } from "./errors.js";

export type Role = "observer" | "requester" | "prover" | "matcher";
export const ROLES: readonly Role[] = ["observer", "requester", "prover", "matcher"];

export interface NodeConfig {
  role: Role;
  /** Key file and LevelDB live here. */
  dataDir: string;
  listen: string[];
  bootstrap: string[];
  /** Peers share one host (devnet, simulation). */
  localNetwork: boolean;
  /** JSON-RPC endpoint of the chain. */
  chainRpc: string;
  chainId: number;
  /** Marketplace contract: the EIP-712 domain of requests, quotes, cancels and proofs. */
  marketplace: Address;
  /** Matcher registry contract: the EIP-712 domain of batches and heartbeats. */
  registry: Address;
  /** Markets to follow before the chain watcher reports them. */
  markets: Record<string, MarketRules>;
  /** Port of the Prometheus endpoint; 0 for any free port, -1 for none. */
  metricsPort: number;
  logLevel: string;
  /** Prover: market description files it serves, paired by position with `marketIds`. */
  marketFiles: string[];
  /** Prover: the on-chain id of each market file. */
  marketIds: number[];
  /** Prover: price per proof in wei (a decimal string: JSON has no bigint); "" means not set. */
  price: string;
  /** Prover: seconds it promises per proof. */
  provingTime: number;
  /** Prover: requests it takes at once. */
  capacity: number;
  /** Prover: free collateral (wei, decimal string) topped up to at start. */
  minCollateral: string;
  /** Blocks a chain event must be buried under before the node acts on it. */
  confirmations: number;
  /** First block to read when the store has no chain cursor (the deployment block). */
  fromBlock: number;
}

export const DEFAULT_NODE_CONFIG: NodeConfig = {
  role: "observer",
  // Next to where the node was started: easy to find, easy to delete.
  dataDir: ".kalypso",
  listen: ["/ip4/127.0.0.1/tcp/0"],
  bootstrap: [],
  localNetwork: false,
  // The dev chain's default port.
  chainRpc: "http://127.0.0.1:8545",
  // anvil's chain id.
  chainId: 31337,
  marketplace: "0x0000000000000000000000000000000000000000",
  registry: "0x0000000000000000000000000000000000000000",
  markets: {},
  metricsPort: -1,
  logLevel: "info",
  marketFiles: [],
  marketIds: [],
  // No default price: a prover must choose what it charges.
  price: "",
  // A minute: the shipped circuits prove in seconds, leaving room for a busy machine.
  provingTime: 60,
  capacity: 1,
  // Deposit nothing unless asked: moving money is the operator's call.
  minCollateral: "0",
  // One block: a reorg of the tip does not make a prover work for nothing.
  confirmations: 1,
  fromBlock: 0,
};

/** Environment variables and the field each sets. */
export const ENV_KEYS: Record<string, keyof NodeConfig> = {
  KALYPSO_ROLE: "role",
  KALYPSO_DATA_DIR: "dataDir",
  KALYPSO_LISTEN: "listen",
  KALYPSO_BOOTSTRAP: "bootstrap",
  KALYPSO_CHAIN_RPC: "chainRpc",
  KALYPSO_CHAIN_ID: "chainId",
  KALYPSO_MARKETPLACE: "marketplace",
  KALYPSO_REGISTRY: "registry",
  KALYPSO_METRICS_PORT: "metricsPort",
  LOG_LEVEL: "logLevel",
  KALYPSO_MARKET_FILES: "marketFiles",
  KALYPSO_MARKET_IDS: "marketIds",
  KALYPSO_PRICE: "price",
  KALYPSO_PROVING_TIME: "provingTime",
  KALYPSO_CAPACITY: "capacity",
  KALYPSO_MIN_COLLATERAL: "minCollateral",
  KALYPSO_CONFIRMATIONS: "confirmations",
  KALYPSO_FROM_BLOCK: "fromBlock",
};

function bad(field: string, source: string, expected: string, got: unknown): NodeError {
  const shown = typeof got === "string" ? JSON.stringify(got.slice(0, 80)) : JSON.stringify(got);
  return new NodeError("CONFIG_INVALID", `${field} from ${source} must be ${expected}, got ${shown}`);
}

/** Coerce one raw value (string from env or flags, or JSON from a file) into the field's type. */
function coerce(field: keyof NodeConfig, raw: unknown, source: string): unknown {
  const list = (v: unknown) =>
    typeof v === "string"
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : v;
  switch (field) {
    case "role":
      if (!ROLES.includes(raw as Role)) throw bad(field, source, `one of ${ROLES.join(", ")}`, raw);
      return raw;
    case "listen":
    case "bootstrap": {
      const v = list(raw);
      if (!Array.isArray(v) || !v.every((s) => typeof s === "string" && s.startsWith("/"))) {
        throw bad(field, source, "a list of multiaddrs (comma-separated, each starting with /)", raw);
      }
      return v;
    }
    case "chainId":
    case "metricsPort": {
      const n = typeof raw === "string" ? Number(raw) : raw;
      const min = field === "metricsPort" ? -1 : 1;
      if (
        typeof n !== "number" ||
        !Number.isSafeInteger(n) ||
        n < min ||
        (field === "metricsPort" && n > 65535)
      ) {
        throw bad(
          field,
          source,
          field === "metricsPort" ? "a port, 0 for any, -1 for none" : "a positive integer",
          raw,
        );
      }
      return n;
    }
    case "marketplace":
    case "registry":
      if (!isHexOfLength(raw, 20)) throw bad(field, source, "a 0x-prefixed 20-byte address", raw);
      return (raw as string).toLowerCase();
    case "localNetwork":
      if (raw === true || raw === "true" || raw === "1") return true;
      if (raw === false || raw === "false" || raw === "0") return false;
      throw bad(field, source, "true or false", raw);
    case "markets":
      return coerceMarkets(raw, source);
    case "marketFiles": {
      const v = list(raw);
      if (!Array.isArray(v) || !v.every((s) => typeof s === "string" && s.length > 0))
        throw bad(field, source, "a list of market file paths (comma-separated)", raw);
      return v;
    }
    case "marketIds": {
      const v = list(raw);
      if (!Array.isArray(v) || !v.every((s) => /^(0|[1-9][0-9]*)$/.test(String(s))))
        throw bad(field, source, "a list of market ids (comma-separated integers)", raw);
      return v.map(Number);
    }
    case "price":
    case "minCollateral":
      if (!/^(0|[1-9][0-9]*)$/.test(String(raw)))
        throw bad(field, source, "an amount in wei (a whole number)", raw);
      return String(raw);
    case "provingTime":
    case "capacity":
    case "confirmations":
    case "fromBlock": {
      const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
      const min = field === "provingTime" || field === "capacity" ? 1 : 0;
      if (typeof n !== "number" || !Number.isSafeInteger(n) || n < min)
        throw bad(field, source, `a whole number >= ${min}`, raw);
      return n;
    }
    default:
      if (typeof raw !== "string" || raw.length === 0) throw bad(field, source, "a non-empty string", raw);
      return raw;
  }
}

function coerceMarkets(raw: unknown, source: string): Record<string, MarketRules> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw bad("markets", source, "an object of market id -> rules", raw);
  }
  const out: Record<string, MarketRules> = {};
  for (const [id, r] of Object.entries(raw as Record<string, Record<string, unknown>>)) {
    const f = `markets.${id}`;
    if (!/^(0|[1-9][0-9]*)$/.test(id)) throw bad(f, source, "keyed by a market id (an integer)", id);
    for (const k of ["minProvingTime", "maxProvingTime"]) {
      if (!Number.isSafeInteger(r?.[k]) || (r[k] as number) < 1)
        throw bad(`${f}.${k}`, source, "seconds >= 1", r?.[k]);
    }
    if (typeof r.requiresTee !== "boolean")
      throw bad(`${f}.requiresTee`, source, "true or false", r.requiresTee);
    out[id] = {
      minProvingTime: r.minProvingTime as number,
      maxProvingTime: r.maxProvingTime as number,
      requiresTee: r.requiresTee,
    };
  }
  return out;
}

function overlay(
  base: NodeConfig,
  raw: Record<string, unknown>,
  source: string,
  keyOf: (k: string) => string | undefined,
): NodeConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const field = keyOf(k);
    if (field === undefined || !(field in DEFAULT_NODE_CONFIG)) {
      throw new NodeError(
        "CONFIG_INVALID",
        `${k} from ${source} is not a known setting (known: ${Object.keys(DEFAULT_NODE_CONFIG).join(", ")})`,
      );
    }
    out[field] = coerce(field as keyof NodeConfig, v, source);
  }
  return out as unknown as NodeConfig;
}

/** Defaults <- file <- env <- flags. */
export async function loadNodeConfig(
  options: {
    file?: string;
    env?: NodeJS.ProcessEnv;
    flags?: Partial<Record<keyof NodeConfig, unknown>>;
  } = {},
): Promise<NodeConfig> {
  let config = DEFAULT_NODE_CONFIG;
  if (options.file) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(options.file, "utf8"));
    } catch (err) {
      throw new NodeError(
        "CONFIG_INVALID",
        `config file ${options.file} is not readable JSON: ${(err as Error).message}`,
      );
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new NodeError("CONFIG_INVALID", `config file ${options.file} must hold a JSON object`);
    }
    config = overlay(config, raw as Record<string, unknown>, `config file ${options.file}`, (k) => k);
  }
  const env = options.env ?? process.env;
  const fromEnv: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(ENV_KEYS))
    if (env[name] !== undefined) fromEnv[field] = env[name];
  config = overlay(config, fromEnv, "the environment", (k) => k);
  config = overlay(config, options.flags ?? {}, "the command line", (k) => k);
  return config;
}

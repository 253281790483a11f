/**
 * `kalypso request`: ask the network for one proof through a short-lived requester node (the SDK's
 * requestProof), print each step, and the proof as hex on success. Exit 0 when PROVEN, 1 when
 * SLASHED or UNASSIGNED, 2 on bad configuration.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import { toHex } from "../../protocol/index.js";
import { NodeError } from "../errors.js";
import { loadIdentity } from "../identity.js";
import { createLogger } from "../logger.js";
import { readBootstrapList } from "../network/bootstrap-list.js";
import { encodeInputsPublic } from "../prover/inputs.js";
import { loadMarketFile } from "../prover/market-file.js";
import { requestProof } from "../sdk/request-proof.js";
import {
  addChainOptions,
  type ChainFlags,
  loadChainConfig,
  parseIntFlag,
  parseWei,
  withFreshPeerId,
} from "./chain-context.js";

interface RequestFlags extends ChainFlags {
  market?: string;
  marketFile?: string;
  inputs?: string;
  witness?: string;
  maxPrice?: string;
  provingTime?: string;
  assignWithin?: string;
  bootstrap?: string;
  local?: boolean;
  bootstrapFile?: string;
  wait?: boolean;
}

/**
 * Public inputs from `--inputs`: a file holding 0x-hex is taken as the verifier's bytes as they
 * are; a JSON file holds circuit inputs, encoded with the market file's public signals.
 */
async function readInputs(flags: RequestFlags): Promise<{ publicInputs: Uint8Array; json?: string }> {
  if (!flags.inputs) throw new NodeError("CONFIG_INVALID", "inputs is required: --inputs <file>");
  let text: string;
  try {
    text = (await readFile(flags.inputs, "utf8")).trim();
  } catch (err) {
    throw new NodeError("CONFIG_INVALID", `inputs: cannot read ${flags.inputs}: ${(err as Error).message}`);
  }
  if (/^0x([0-9a-fA-F]{2})*$/.test(text)) return { publicInputs: Buffer.from(text.slice(2), "hex") };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new NodeError("CONFIG_INVALID", `inputs: ${flags.inputs} is neither 0x-hex nor JSON`);
  }
  if (!flags.marketFile) {
    throw new NodeError(
      "CONFIG_INVALID",
      "marketFile is required with JSON inputs (--market-file <file>): it says which inputs are public",
    );
  }
  const market = await loadMarketFile(flags.marketFile);
  return { publicInputs: encodeInputsPublic(market.inputs, json), json: text };
}

async function runRequest(flags: RequestFlags): Promise<number> {
  const marketId = parseIntFlag("market", flags.market, -1, 0);
  if (marketId < 0) throw new NodeError("CONFIG_INVALID", "market is required: --market <id>");
  const maxPrice = parseWei("maxPrice", flags.maxPrice);
  const provingTime = parseIntFlag("provingTime", flags.provingTime, 300);
  const assignWithinS = parseIntFlag("assignWithin", flags.assignWithin, 120);
  const bootstrap = flags.bootstrapFile
    ? [...(flags.bootstrap?.split(",") ?? []), ...(await readBootstrapList(flags.bootstrapFile))].join(",")
    : flags.bootstrap;
  const config = await loadChainConfig(flags, { bootstrap, localNetwork: flags.local });
  if (config.bootstrap.length === 0) {
    throw new NodeError("CONFIG_INVALID", "bootstrap is empty: pass --bootstrap <multiaddr,...>");
  }
  const { publicInputs, json } = await readInputs(flags);
  // The witness: an explicit file, else the JSON inputs themselves (they hold every signal).
  const witness = flags.witness
    ? new Uint8Array(await readFile(flags.witness))
    : json !== undefined
      ? new TextEncoder().encode(json)
      : undefined;
  const identity = await loadIdentity(join(config.dataDir, "node.key"));
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  const outcome = await withFreshPeerId(() =>
    requestProof({
      rpcUrl: config.chainRpc,
      contracts: { marketplace: config.marketplace, registry: config.registry },
      privateKey: identity.privateKey,
      bootstrap: config.bootstrap,
      network: { localNetwork: config.localNetwork },
      confirmations: 0,
      chainPollMs: 250,
      request: { marketId, publicInputs, witness, maxPrice, provingTime, assignWithinS },
      logger: createLogger({ level: config.logLevel, name: "request" }),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.kind === "published") {
          console.log(`published ${p.requestId} to ${p.recipients} peers`);
          // Without --wait the request is on its way: the network follows it, we need not.
          if (!flags.wait) controller.abort();
        }
        if (p.kind === "assigned") console.log(`assigned ${p.requestId} to ${p.prover} at ${p.price} wei`);
        if (p.kind === "verified") console.log(`verified ${p.requestId} in tx ${p.txHash}`);
        if (p.kind === "slashed") console.log(`slashed ${p.requestId}: compensation ${p.compensation} wei`);
        if (p.kind === "unassigned") console.log(`unassigned ${p.requestId}: no prover took it`);
      },
    }),
  ).catch((err) => {
    if (controller.signal.aborted && !flags.wait) return undefined;
    throw err;
  });
  if (outcome === undefined) return 0;
  if (outcome.code !== "PROVEN") {
    console.log(`outcome ${outcome.code}`);
    return 1;
  }
  console.log(`outcome PROVEN by ${outcome.prover} at ${outcome.price} wei`);
  console.log(`proof ${outcome.proof ? toHex(outcome.proof) : "(not recovered)"}`);
  return 0;
}

/** Register `kalypso request`. */
export function registerRequestCommand(program: Command): void {
  addChainOptions(
    program
      .command("request")
      .description("request one proof through a short-lived requester node")
      .option("--market <id>", "on-chain market id")
      .option(
        "--inputs <file>",
        "public inputs: 0x-hex verifier bytes, or JSON circuit inputs (with --market-file)",
      )
      .option("--market-file <file>", "the market's description file: which JSON inputs are public")
      .option("--witness <file>", "the witness the prover needs (default: the JSON inputs)")
      .option("--max-price <wei>", "the most this request pays, in wei")
      .option("--proving-time <s>", "seconds the prover gets after assignment (default 300)")
      .option("--assign-within <s>", "seconds the request may wait for a prover (default 120)")
      .option("--bootstrap <multiaddrs>", "comma-separated multiaddrs of peers to join through")
      .option("--bootstrap-file <file>", "a bootstrap list file, one multiaddr per line")
      .option("--local", "all peers on one host: relax per-IP limits")
      .option("--wait", "follow the request to its end and print the proof (else exit once published)"),
  ).action(async (flags: RequestFlags) => {
    process.exitCode = await runRequest(flags);
  });
}

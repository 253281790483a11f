/**
 * `kalypso market create --from <market file>`: deploy the file's verifier wrapper when it has
 * none, prove a sample with the market's own backend (createMarket checks it on-chain), create the
 * market and print its id.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { sampleInputs } from "../../chain/circuits/sample-inputs.js";
import { deployVerifier } from "../../chain/index.js";
import type { Address } from "../../protocol/index.js";
import { NodeError } from "../errors.js";
import { createBackend } from "../prover/create-backend.js";
import type { CircuitInputs } from "../prover/inputs.js";
import { loadMarketFile, type MarketDescription } from "../prover/market-file.js";
import { releaseSnarkjs } from "../prover/verify.js";
import {
  addChainOptions,
  type ChainFlags,
  loadChainConfig,
  openChain,
  parseIntFlag,
  parseWei,
} from "./chain-context.js";

interface MarketCreateFlags extends ChainFlags {
  from: string;
  collateral?: string;
  minProvingTime?: string;
  maxProvingTime?: string;
  tee?: boolean;
  sampleInputs?: string;
}

/** Collateral per request when none is given: 0.01 ether, the devnet's. */
export const DEFAULT_MARKET_COLLATERAL = 10n ** 16n;

/** "poseidon-preimage-groth16" -> "PoseidonPreimageGroth16": the shipped wrapper contract's name. */
function wrapperOf(d: MarketDescription): string {
  return d.name
    .split("-")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

async function sampleFor(d: MarketDescription, file: string | undefined): Promise<CircuitInputs> {
  if (file) {
    try {
      return JSON.parse(await readFile(file, "utf8")) as CircuitInputs;
    } catch (err) {
      throw new NodeError(
        "CONFIG_INVALID",
        `sampleInputs: ${file} is not a readable JSON object: ${(err as Error).message}`,
      );
    }
  }
  try {
    return sampleInputs(d.name.replace(/-(groth16|plonk)$/, ""));
  } catch {
    throw new NodeError(
      "CONFIG_INVALID",
      `sampleInputs: no shipped sample for market "${d.name}": pass --sample-inputs <json file>`,
    );
  }
}

/** Create a market from a market file; returns its id. `print` receives the progress lines. */
export async function createMarketFromFile(
  flags: MarketCreateFlags,
  print: (line: string) => void,
): Promise<number> {
  const collateral = parseWei("collateral", flags.collateral, DEFAULT_MARKET_COLLATERAL);
  const minProvingTime = parseIntFlag("minProvingTime", flags.minProvingTime, 5);
  const maxProvingTime = parseIntFlag("maxProvingTime", flags.maxProvingTime, 600);
  if (maxProvingTime < minProvingTime) {
    throw new NodeError(
      "CONFIG_INVALID",
      `maxProvingTime ${maxProvingTime} must be >= minProvingTime ${minProvingTime}`,
    );
  }
  const description = await loadMarketFile(flags.from);
  const inputs = await sampleFor(description, flags.sampleInputs);
  const ctx = await openChain(await loadChainConfig(flags));
  const backend = createBackend(description);
  try {
    let verifier: Address | null = description.verifier;
    if (verifier === null) {
      print(`deploying verifier ${wrapperOf(description)}`);
      verifier = await deployVerifier(ctx.wallet, wrapperOf(description));
      print(`verifier ${verifier}`);
    }
    print(`proving a sample with ${description.backend.kind} (${description.scheme})`);
    const sample = await backend.prove(description, inputs);
    print("creating the market");
    const { marketId, receipt } = await ctx.marketplace.createMarket(
      {
        verifier,
        collateralPerRequest: collateral,
        minProvingTime,
        maxProvingTime,
        requiresTee: flags.tee === true,
        metadata: new TextEncoder().encode(
          JSON.stringify({ name: description.name, scheme: description.scheme }),
        ),
      },
      sample.publicInputs,
      sample.proof,
    );
    print(`market ${marketId} created in tx ${receipt.hash}`);
    return marketId;
  } finally {
    await backend.stop();
    await releaseSnarkjs();
    ctx.stop();
  }
}

/** Register `kalypso market`. */
export function registerMarketCommand(program: Command): void {
  const market = program.command("market").description("create and inspect markets");
  addChainOptions(
    market
      .command("create")
      .description("create a market from a market description file (deploys its verifier if needed)")
      .requiredOption("--from <file>", "market description file (see chain/circuits/markets/*.json)")
      .option("--collateral <wei>", "prover collateral locked per request (default 10^16)")
      .option("--min-proving-time <s>", "shortest proving time a request may ask for (default 5)")
      .option("--max-proving-time <s>", "longest proving time a request may ask for (default 600)")
      .option("--tee", "requests in this market need a TEE prover (private inputs)")
      .option("--sample-inputs <file>", "JSON inputs of the sample proof (default: the shipped circuit's)"),
  ).action(async (flags: MarketCreateFlags) => {
    const id = await createMarketFromFile(flags, (line) => console.error(line));
    console.log(id);
  });
}

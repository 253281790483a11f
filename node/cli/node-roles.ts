/**
 * The role services `kalypso node --role` runs on top of its peer, one role per process, composed
 * as sim/devnet/devnet.ts composes them in one: observer and requester only follow (requests come
 * from `kalypso request`), a prover serves its market files at its price, a matcher runs with the
 * emulated enclave whose key is the node key (registration is a separate step).
 */

import { fromHex, makeDomain } from "../../protocol/index.js";
import type { NodeConfig } from "../config.js";
import { NodeError } from "../errors.js";
import { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import { topicsOf } from "../network/topics.js";
import { createBackend } from "../prover/create-backend.js";
import { loadMarketFile } from "../prover/market-file.js";
import { releaseSnarkjs } from "../prover/verify.js";
import { Matcher } from "../roles/matcher.js";
import { Prover } from "../roles/prover.js";
import type { ProverMarket } from "../roles/prover-jobs.js";
import { Requester } from "../roles/requester.js";
import { EmulatedEnclave } from "../tee/emulated-enclave.js";
import type { ChainContext } from "./chain-context.js";

/** Signs emulated attestations; default the node key (a local stand-in for the hardware vendor). */
export const EMULATED_ATTESTATION_KEY_ENV = "KALYPSO_EMULATED_ATTESTATION_KEY";

/** A running node with its role; `stop()` tears down in reverse order of start. */
export interface RunningRole {
  node: KalypsoNode;
  stop(): Promise<void>;
}

/** Start the peer (following the deployment) and the service of `config.role` on it. */
export async function startRole(
  config: NodeConfig,
  ctx: ChainContext | undefined,
  log: Logger,
): Promise<RunningRole> {
  if (ctx === undefined && config.role !== "observer") {
    throw new NodeError("CONFIG_INVALID", `role ${config.role} needs a chain: set marketplace and registry`);
  }
  const stack: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stack.reverse()) await s().catch((err) => log.warn({ err }, "stop failed"));
  };
  try {
    // Load the prover's markets before joining: a bad market file should fail fast, not mid-run.
    const proverMarkets = config.role === "prover" ? await loadProverMarkets(config, ctx!, stack) : undefined;
    const node = await KalypsoNode.start({
      dataDir: config.dataDir,
      domains: {
        market: makeDomain(config.chainId, config.marketplace),
        matcher: makeDomain(config.chainId, config.registry),
      },
      network: { listen: config.listen, bootstrap: config.bootstrap, localNetwork: config.localNetwork },
      markets: Object.fromEntries(Object.entries(config.markets).map(([k, v]) => [Number(k), v])),
      chain: ctx && {
        provider: ctx.provider,
        contracts: [
          { label: "marketplace", address: config.marketplace, abi: ctx.artifacts.Marketplace!.abi as never },
          { label: "registry", address: config.registry, abi: ctx.artifacts.MatcherRegistry!.abi as never },
        ],
        confirmations: config.confirmations,
        fromBlock: config.fromBlock,
        pollIntervalMs: 250,
        // The role registers its chain handlers first, then starts the watcher: no event slips by.
        autoStart: false,
      },
      role: config.role,
      topics: topicsOf(config.role, proverMarkets?.markets.keys()),
      logger: log,
    });
    stack.push(() => node.stop());
    if (ctx === undefined) {
      log.warn("no marketplace configured: following the network only, not the chain");
      return { node, stop };
    }
    const key = ctx.identity.privateKey;
    if (config.role === "prover") {
      const prover = new Prover(
        { node, marketplace: ctx.marketplace, key, markets: proverMarkets!.markets, logger: log },
        {
          pricing: proverMarkets!.pricing,
          minCollateral: BigInt(config.minCollateral),
          capacity: config.capacity,
        },
      );
      await prover.start();
      stack.push(() => prover.stop());
      log.info(
        { markets: [...proverMarkets!.markets.keys()], price: config.price, provingTime: config.provingTime },
        "prover serving",
      );
    } else if (config.role === "matcher") {
      const attestationEnv = process.env[EMULATED_ATTESTATION_KEY_ENV];
      const enclave = new EmulatedEnclave(
        { attestationKey: attestationEnv ? fromHex(attestationEnv) : key, logger: log },
        { privateKey: key },
      );
      log.warn({ enclave: enclave.address }, "matcher enclave is emulated: software key, no hardware TEE");
      const matcher = new Matcher(
        {
          node,
          registry: ctx.registry,
          marketplace: ctx.marketplace,
          provider: ctx.provider,
          enclave,
          logger: log,
        },
        {},
      );
      matcher.on("role", (r) => log.info({ role: r.role, term: r.term }, "matcher role"));
      await matcher.start();
      stack.push(() => matcher.stop());
    } else if (config.role === "requester") {
      // Follows its requests to their end; new requests come from `kalypso request`.
      const requester = new Requester({ node, marketplace: ctx.marketplace, key, logger: log });
      await requester.start();
      stack.push(() => requester.stop());
    }
    await node.startChain();
    return { node, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function loadProverMarkets(
  config: NodeConfig,
  ctx: ChainContext,
  stack: (() => Promise<void>)[],
): Promise<{
  markets: Map<number, ProverMarket>;
  pricing: Map<number, { price: bigint; provingTime: number; capacity: number }>;
}> {
  if (config.marketFiles.length === 0) {
    throw new NodeError("CONFIG_INVALID", "marketFiles is empty: a prover needs --market-file <file>");
  }
  if (config.marketIds.length !== config.marketFiles.length) {
    throw new NodeError(
      "CONFIG_INVALID",
      `marketIds has ${config.marketIds.length} ids for ${config.marketFiles.length} market files: give one --market-id per --market-file`,
    );
  }
  if (config.price === "") {
    throw new NodeError("CONFIG_INVALID", "price is not set: a prover needs --price <wei>");
  }
  const markets = new Map<number, ProverMarket>();
  const pricing = new Map<number, { price: bigint; provingTime: number; capacity: number }>();
  for (const [i, file] of config.marketFiles.entries()) {
    const id = config.marketIds[i]!;
    const loaded = await loadMarketFile(file);
    const onChain = await ctx.marketplace.market(id);
    // The market file may predate its verifier's deployment: the chain knows where it is.
    const description = { ...loaded, verifier: onChain.verifier };
    const backend = createBackend(description);
    stack.push(async () => {
      await backend.stop();
      await releaseSnarkjs();
    });
    markets.set(id, { description, backend });
    pricing.set(id, {
      price: BigInt(config.price),
      provingTime: config.provingTime,
      capacity: config.capacity,
    });
  }
  return { markets, pricing };
}

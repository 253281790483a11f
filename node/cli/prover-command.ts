/**
 * `kalypso prover collateral|register|quote`: a prover's one-off chain and network actions, sent
 * as the node key. The long-running prover is `kalypso node --role prover`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { makeDomain, privateKeyToAddress, type Quote, signQuote } from "../../protocol/index.js";
import { NodeError } from "../errors.js";
import { KalypsoNode } from "../kalypso-node.js";
import { createLogger } from "../logger.js";
import { marketTopic } from "../network/topics.js";
import { DEFAULT_QUOTE_VALIDITY_S } from "../roles/quote-publisher.js";
import {
  addChainOptions,
  type ChainFlags,
  loadChainConfig,
  openChain,
  parseIntFlag,
  parseWei,
  withFreshPeerId,
} from "./chain-context.js";

interface QuoteFlags extends ChainFlags {
  market?: string;
  price?: string;
  provingTime?: string;
  capacity?: string;
  validity?: string;
  bootstrap?: string;
  local?: boolean;
}

/** How long `prover quote` waits for a first peer before giving up. */
const PEER_WAIT_MS = 15_000;

async function depositCollateral(amountRaw: string, flags: ChainFlags): Promise<void> {
  const amount = parseWei("amount", amountRaw);
  if (amount === 0n) throw new NodeError("CONFIG_INVALID", "amount must be more than 0 wei");
  const ctx = await openChain(await loadChainConfig(flags));
  try {
    console.error(`depositing ${amount} wei of collateral from ${ctx.identity.address}`);
    const receipt = await ctx.marketplace.depositCollateral(amount);
    const c = await ctx.marketplace.collateralOf(ctx.identity.address);
    console.log(`collateral free=${c.free} locked=${c.locked} pending=${c.pending} (tx ${receipt.hash})`);
  } finally {
    ctx.stop();
  }
}

async function publishQuote(flags: QuoteFlags): Promise<void> {
  const marketId = parseIntFlag("market", flags.market, -1, 0);
  if (marketId < 0) throw new NodeError("CONFIG_INVALID", "market is required: --market <id>");
  const price = parseWei("price", flags.price);
  const provingTime = parseIntFlag("provingTime", flags.provingTime, 60);
  const capacity = parseIntFlag("capacity", flags.capacity, 1);
  const validity = parseIntFlag("validity", flags.validity, DEFAULT_QUOTE_VALIDITY_S);
  const config = await loadChainConfig(flags, { bootstrap: flags.bootstrap, localNetwork: flags.local });
  if (config.bootstrap.length === 0) {
    throw new NodeError(
      "CONFIG_INVALID",
      "bootstrap is empty: a quote needs a peer (--bootstrap <multiaddr>)",
    );
  }
  const ctx = await openChain(config);
  const tmp = await mkdtemp(join(tmpdir(), "kalypso-quote-"));
  const markets = { [marketId]: await ctx.marketplace.market(marketId) };
  const node = await withFreshPeerId(() =>
    KalypsoNode.start({
      dataDir: tmp,
      domains: {
        market: makeDomain(config.chainId, config.marketplace),
        matcher: makeDomain(config.chainId, config.registry),
      },
      network: { bootstrap: config.bootstrap, localNetwork: config.localNetwork },
      markets,
      role: "prover",
      logger: createLogger({ level: config.logLevel, name: "prover-quote" }),
    }),
  );
  try {
    const deadline = Date.now() + PEER_WAIT_MS;
    console.error("joining the network");
    // Gossip does not replay: wait until a peer has told us it listens on the market's quote topic.
    const topic = marketTopic(marketId, "quotes");
    while (node.gossip.peers(topic).length === 0) {
      if (Date.now() > deadline) {
        throw new NodeError(
          "CONFIG_INVALID",
          `bootstrap: no peer subscribed to ${topic} within ${PEER_WAIT_MS} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const now = (await ctx.provider.getBlock("latest"))!.timestamp;
    const quote: Quote = {
      marketId,
      prover: privateKeyToAddress(ctx.identity.privateKey),
      price,
      provingTime,
      capacity,
      validUntil: now + validity,
      nonce: BigInt(Date.now()) * 1000n,
    };
    const signed = signQuote(makeDomain(config.chainId, config.marketplace), quote, ctx.identity.privateKey);
    const sent = await node.publish({ type: "quote", body: signed });
    console.log(`quote ${sent.id} published to ${sent.recipients} peers (valid until ${quote.validUntil})`);
  } finally {
    await node.stop();
    ctx.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Register `kalypso prover`. */
export function registerProverCommand(program: Command): void {
  const prover = program.command("prover").description("a prover's collateral, registration and quotes");
  addChainOptions(
    prover
      .command("collateral")
      .description("deposit collateral from the node key's account")
      .argument("<wei>", "amount to deposit, in wei"),
  ).action(async (amount: string, flags: ChainFlags) => depositCollateral(amount, flags));

  addChainOptions(
    prover
      .command("register")
      .description("what a prover needs before it can quote (nothing, in open markets)"),
  ).action(async (flags: ChainFlags) => {
    const config = await loadChainConfig(flags);
    console.log(
      [
        "Open markets need no registration: deposit collateral (kalypso prover collateral <wei>)",
        "and run kalypso node --role prover, which publishes quotes.",
        `TEE markets: the prover's enclave attests through the matcher registry (${config.registry})`,
        "with attestProver(enclaveKey, attestation) from inside the enclave.",
      ].join("\n"),
    );
  });

  addChainOptions(
    prover
      .command("quote")
      .description("publish one signed quote through a short-lived node")
      .option("--market <id>", "on-chain market id")
      .option("--price <wei>", "price per proof, in wei")
      .option("--proving-time <s>", "seconds per proof (default 60)")
      .option("--capacity <n>", "requests taken at once (default 1)")
      .option("--validity <s>", `seconds the quote stays valid (default ${DEFAULT_QUOTE_VALIDITY_S})`)
      .option("--bootstrap <multiaddrs>", "comma-separated multiaddrs of peers to publish through")
      .option("--local", "all peers on one host: relax per-IP limits"),
  ).action(async (flags: QuoteFlags) => publishQuote(flags));
}

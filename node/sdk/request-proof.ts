/**
 * The SDK for apps that embed a requester: one call joins the network with a short-lived node,
 * requests a proof, follows it to its end and leaves. Everything a long-running requester would
 * configure has a default here; the app gives where the chain and the network are, and its key.
 *
 *   const outcome = await requestProof({
 *     rpcUrl, contracts: { marketplace, registry }, privateKey, bootstrap,
 *     request: { marketId, publicInputs, witness, maxPrice, provingTime: 60, assignWithinS: 120 },
 *   });
 *   if (outcome.code === "PROVEN") use(outcome.proof);
 */
// First: libp2p needs Promise.withResolvers, which Node 20 lacks (STACK.md pitfall 1).
import "../polyfill.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type InterfaceAbi, Wallet } from "ethers";
import { compileContracts } from "../../chain/compile.js";
import { connectChain } from "../../chain/connect.js";
import { MarketplaceClient } from "../../chain/marketplace-client.js";
import { type Address, fromHex, toHex } from "../../protocol/bytes.js";
import { makeDomain } from "../../protocol/eip712.js";
import { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import type { NetworkOptions } from "../network/options.js";
import { Requester, type RequesterInit } from "../roles/requester.js";
import type { ProofOutcome, ProofRequestParams, RequestProgress } from "../roles/requester-types.js";

export type { ProofOutcome, ProofRequestParams, RequestProgress };

/** Everything `requestProof` needs; only the first five are required. */
export interface RequestProofOptions {
  /** JSON-RPC URL of the chain the deployment lives on. */
  rpcUrl: string;
  /** The deployment's contracts. */
  contracts: { marketplace: Address; registry: Address };
  /** The requester's key (0x-hex or 32 bytes): signs the request and pays from its deposit (topped up when short). */
  privateKey: string | Uint8Array;
  /** Multiaddrs (with /p2p/<id>) of peers to join through. */
  bootstrap: string[];
  request: ProofRequestParams;
  /** Called at each step: published, assigned, verified, slashed, unassigned. */
  onProgress?: (p: RequestProgress) => void;
  signal?: AbortSignal;
  /** The Marketplace ABI. Default: compiled from this repository's sources (cached on disk). */
  marketplaceAbi?: InterfaceAbi;
  /** Blocks an event must be buried under before it counts. Default 1: a proof is not reported from a block that may vanish. */
  confirmations?: number;
  /** How often the chain is polled, ms. Default 1,000. */
  chainPollMs?: number;
  /** Network options of the temporary node (listen addresses, localNetwork, dht). */
  network?: Partial<NetworkOptions>;
  /** Where the temporary node keeps its key and store. Default: a fresh temp dir, removed afterwards. */
  dataDir?: string;
  requester?: RequesterInit;
  logger?: Logger;
}

/** Request one proof and wait for its outcome (PROVEN with the proof, SLASHED or UNASSIGNED). */
export async function requestProof(options: RequestProofOptions): Promise<ProofOutcome> {
  const pollMs = options.chainPollMs ?? 1000;
  const key = typeof options.privateKey === "string" ? fromHex(options.privateKey) : options.privateKey;
  const chain = await connectChain({ rpcUrl: options.rpcUrl, pollingIntervalMs: pollMs });
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "kalypso-sdk-")));
  let node: KalypsoNode | undefined;
  let requester: Requester | undefined;
  try {
    const { provider } = chain;
    const chainId = (await provider.getNetwork()).chainId;
    const abi = options.marketplaceAbi ?? (compileContracts().Marketplace!.abi as InterfaceAbi);
    const wallet = new Wallet(toHex(key), provider);
    const marketplace = new MarketplaceClient(options.contracts.marketplace, abi, wallet);
    node = await KalypsoNode.start({
      dataDir,
      domains: {
        market: makeDomain(chainId, options.contracts.marketplace),
        matcher: makeDomain(chainId, options.contracts.registry),
      },
      network: { ...options.network, bootstrap: options.bootstrap },
      chain: {
        provider,
        contracts: [{ label: "marketplace", address: options.contracts.marketplace, abi }],
        confirmations: options.confirmations ?? 1,
        // Only what happens from now on matters to this request: no history to scan.
        fromBlock: await provider.getBlockNumber(),
        pollIntervalMs: pollMs,
        autoStart: false,
      },
      role: "requester",
      logger: options.logger,
    });
    requester = new Requester({ node, marketplace, key, logger: options.logger }, options.requester);
    await requester.start();
    return await requester.requestProof(options.request, {
      signal: options.signal,
      onProgress: options.onProgress,
    });
  } finally {
    await requester?.stop();
    await node?.stop();
    await chain.stop();
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * A deployment as plain data (RPC URL, chain id, addresses, ABIs, deploy block), and the one place a
 * devnet or sim node's init and an emulated matcher are built from it: the devnet and the in-process
 * sim build them from their DevnetWorld, a node process (sim/process/) from the data it was sent.
 */

import { join } from "node:path";
import type { JsonRpcProvider, JsonRpcSigner } from "ethers";
import { MarketplaceClient } from "../../chain/marketplace-client.js";
import { RegistryClient } from "../../chain/registry-client.js";
import type { KalypsoNode, KalypsoNodeInit } from "../../node/kalypso-node.js";
import type { Logger } from "../../node/logger.js";
import { topicsOf } from "../../node/network/topics.js";
import { Matcher } from "../../node/roles/matcher.js";
import { EmulatedEnclave } from "../../node/tee/emulated-enclave.js";
import { type Address, makeDomain } from "../../protocol/index.js";

/** What a node needs to follow a deployment; JSON as it is. */
export interface DeploymentRef {
  rpcUrl: string;
  chainId: number;
  marketplace: Address;
  registry: Address;
  marketplaceAbi: readonly unknown[];
  registryAbi: readonly unknown[];
  /** Where the nodes' chain watchers start reading events. */
  deployBlock: number;
}

/** The deployment's clients, sending as `signer`. */
export function deploymentClients(ref: DeploymentRef, signer: JsonRpcSigner) {
  return {
    marketplace: new MarketplaceClient(ref.marketplace, ref.marketplaceAbi as never, signer, [
      ref.registryAbi as never,
    ]),
    registry: new RegistryClient(ref.registry, ref.registryAbi as never, signer),
  };
}

/**
 * How every devnet or simulation node starts: loopback network through `bootstrap`, both contracts
 * followed from the deploy block, the chain watcher left for the role to start (so it registers its
 * handlers first).
 */
export function deploymentNodeInit(
  ref: DeploymentRef,
  provider: JsonRpcProvider,
  dir: string,
  logger: Logger,
  name: string,
  bootstrap: string[],
): KalypsoNodeInit {
  // "prover-3" -> prover.
  const role = name.replace(/-\d+$/, "");
  return {
    dataDir: join(dir, name),
    domains: {
      market: makeDomain(ref.chainId, ref.marketplace),
      matcher: makeDomain(ref.chainId, ref.registry),
    },
    network: { localNetwork: true, bootstrap },
    chain: {
      provider,
      contracts: [
        { label: "marketplace", address: ref.marketplace, abi: ref.marketplaceAbi as never },
        { label: "registry", address: ref.registry, abi: ref.registryAbi as never },
      ],
      confirmations: 0,
      fromBlock: ref.deployBlock,
      // Requesters (who see the anchoring) and matchers (chain facts for the log) look often; a
      // prover's poll only delays when it starts proving, so it polls at the CLI's 250 ms: 100
      // nodes at 100 ms were 1,000 JSON-RPC calls a second in one process.
      pollIntervalMs: role === "prover" ? 250 : 100,
      autoStart: false,
    },
    role: name,
    // A node takes the topics its role reads.
    topics: topicsOf(role),
    logger: logger.child({ node: name }),
  };
}

/** What an emulated matcher needs beyond its node. */
export interface EmulatedMatcherParts {
  /** The matcher's registered (enclave) key; it also sends from this key's account. */
  key: Uint8Array;
  /** The test verifier key that signs the emulated attestations. */
  attestationKey: Uint8Array;
  signer: JsonRpcSigner;
  ref: DeploymentRef;
  provider: JsonRpcProvider;
}

/** A matcher over `node` with an emulated enclave holding its registered key. */
export function emulatedMatcher(
  node: KalypsoNode,
  parts: EmulatedMatcherParts,
  logger: Logger,
  name: string,
): Matcher {
  const enclave = new EmulatedEnclave(
    { attestationKey: parts.attestationKey, logger },
    { privateKey: parts.key },
  );
  const clients = deploymentClients(parts.ref, parts.signer);
  return new Matcher(
    {
      node,
      registry: clients.registry,
      marketplace: clients.marketplace,
      provider: parts.provider,
      enclave,
      logger: logger.child({ node: name }),
    },
    {},
  );
}

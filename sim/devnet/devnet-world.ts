/**
 * The chain side of a devnet: anvil, the whole system deployed, the emulated attestation verifier
 * trusted, matcher enclaves registered (emulated TEE: software keys, attestations signed by a local
 * test verifier key), and markets on REAL Groth16 verifiers created with a real sample proof.
 * Keys are anvil's funded accounts, assigned to roles by index.
 */
import { join } from "node:path";
import type { JsonRpcSigner } from "ethers";
import { CIRCUITS_DIR } from "../../chain/circuits/circuits.js";
import { sampleInputs } from "../../chain/circuits/sample-inputs.js";
import {
  DevChain,
  type DevChainInit,
  deployKalypso,
  deployVerifier,
  type KalypsoDeployment,
  signAttestation,
} from "../../chain/index.js";
import type { KalypsoNode, KalypsoNodeInit } from "../../node/kalypso-node.js";
import type { Logger } from "../../node/logger.js";
import { loadMarketFile, type MarketDescription } from "../../node/prover/market-file.js";
import { SnarkjsBackend } from "../../node/prover/snarkjs-backend.js";
import type { Matcher } from "../../node/roles/matcher.js";
import { EMULATED_IMAGE_ID } from "../../node/tee/emulated-enclave.js";
import { type Address, fromHex, privateKeyToAddress } from "../../protocol/index.js";
import { defaultBackend } from "../../protocol/signature.js";
import { type DeploymentRef, deploymentNodeInit, emulatedMatcher } from "./deployment-ref.js";

/** How many of each role a devnet runs. */
export interface DevnetShape {
  matchers: number;
  provers: number;
  requesters: number;
  /** Funded keys for provers that join later (the sim's churn). Default 0. */
  spareProvers?: number;
}

/** Devnet chain options. */
export interface DevnetWorldInit {
  shape: DevnetShape;
  /** Lease length: short, so a failover is quick to see. Default 10 s. */
  leaseDurationS?: number;
  /** Circuit market files to open markets for. Default: the Poseidon-preimage Groth16 market. */
  marketFiles?: string[];
  chain?: DevChainInit;
}

/** One opened market: its id on-chain and the description its provers prove with. */
export interface DevnetMarket {
  marketId: number;
  description: MarketDescription;
  verifier: Address;
  collateralPerRequest: bigint;
}

export interface DevnetWorld {
  chain: DevChain;
  deployment: KalypsoDeployment;
  markets: DevnetMarket[];
  /** Raw private keys by role; matchers' keys are their (emulated) enclave keys. */
  keys: {
    owner: Uint8Array;
    verifier: Uint8Array;
    matchers: Uint8Array[];
    provers: Uint8Array[];
    requesters: Uint8Array[];
    spareProvers: Uint8Array[];
  };
  signer(key: Uint8Array): Promise<JsonRpcSigner>;
  stop(): Promise<void>;
}

/** Collateral per request of the devnet markets: 0.01 ether. */
export const DEVNET_COLLATERAL = 10n ** 16n;
/** Bond per matcher. */
export const DEVNET_MATCHER_BOND = 10n ** 18n;

const DEFAULT_MARKET = join(CIRCUITS_DIR, "markets", "poseidon-preimage-groth16.json");

/** Start anvil and set up everything on-chain a devnet needs. */
export async function startDevnetWorld(init: DevnetWorldInit): Promise<DevnetWorld> {
  const { matchers, provers, requesters } = init.shape;
  const spare = init.shape.spareProvers ?? 0;
  const accounts = 2 + matchers + provers + requesters + spare;
  const chain = await DevChain.start({ accounts, ...init.chain });
  try {
    const all = chain.keys.map((k) => fromHex(k));
    let next = 0;
    const take = (n: number) => {
      const keys = all.slice(next, next + n);
      next += n;
      return keys;
    };
    const [owner, verifier] = take(2) as [Uint8Array, Uint8Array];
    const keys = {
      owner,
      verifier,
      matchers: take(matchers),
      provers: take(provers),
      requesters: take(requesters),
      spareProvers: take(spare),
    };
    const signer = (key: Uint8Array) => chain.provider.getSigner(privateKeyToAddress(key));

    const deployment = await deployKalypso(await signer(owner), {
      leaseDurationS: init.leaseDurationS ?? 10,
    });
    await deployment.registry.setAttestationVerifier(privateKeyToAddress(verifier), true);
    await deployment.registry.setMatcherImage(EMULATED_IMAGE_ID, true);
    const now = await chain.now();
    for (const key of keys.matchers) {
      const enclaveKey = defaultBackend.publicKey(key).subarray(1);
      const att = signAttestation(deployment.registryDomain, verifier, enclaveKey, EMULATED_IMAGE_ID, now);
      await deployment.registry.connect(await signer(key)).register(enclaveKey, att, DEVNET_MATCHER_BOND);
    }

    const markets: DevnetMarket[] = [];
    const backend = new SnarkjsBackend();
    try {
      for (const file of init.marketFiles ?? [DEFAULT_MARKET]) {
        const description = await loadMarketFile(file);
        const wrapper = contractOf(description);
        const address = await deployVerifier(await signer(owner), wrapper);
        // createMarket checks a sample proof against the verifier: prove one for real.
        const sample = await backend.prove(description, sampleInputs(circuitOf(description), 1n));
        const { marketId } = await deployment.marketplace.createMarket(
          {
            verifier: address,
            collateralPerRequest: DEVNET_COLLATERAL,
            minProvingTime: 5,
            maxProvingTime: 600,
            requiresTee: false,
            metadata: new TextEncoder().encode(
              JSON.stringify({ name: description.name, scheme: description.scheme }),
            ),
          },
          sample.publicInputs,
          sample.proof,
        );
        markets.push({
          marketId,
          description: { ...description, verifier: address },
          verifier: address,
          collateralPerRequest: DEVNET_COLLATERAL,
        });
      }
    } finally {
      await backend.stop();
    }
    return { chain, deployment, markets, keys, signer, stop: () => chain.stop() };
  } catch (err) {
    await chain.stop();
    throw err;
  }
}

/** The world's deployment as plain data, for nodes in other processes. */
export function deploymentRef(world: DevnetWorld): DeploymentRef {
  const d = world.deployment;
  return {
    rpcUrl: world.chain.url,
    chainId: world.chain.chainId,
    marketplace: d.marketplace.address as Address,
    registry: d.registry.address as Address,
    marketplaceAbi: d.artifacts.Marketplace!.abi,
    registryAbi: d.artifacts.MatcherRegistry!.abi,
    deployBlock: d.deployBlock,
  };
}

/** A node init following the world's deployment (deploymentNodeInit), on the world's provider. */
export function devnetNodeInit(
  world: DevnetWorld,
  dir: string,
  logger: Logger,
  name: string,
  bootstrap: string[],
): KalypsoNodeInit {
  return deploymentNodeInit(deploymentRef(world), world.chain.provider, dir, logger, name, bootstrap);
}

/**
 * Matcher `i` of the world over `node`: its enclave is emulated, with the matcher's registered key
 * and attested by the world's test verifier key; it sends from its own account.
 */
export async function devnetMatcher(
  world: DevnetWorld,
  node: KalypsoNode,
  i: number,
  logger: Logger,
): Promise<Matcher> {
  const key = world.keys.matchers[i]!;
  const parts = {
    key,
    attestationKey: world.keys.verifier,
    signer: await world.signer(key),
    ref: deploymentRef(world),
    provider: world.chain.provider,
  };
  return emulatedMatcher(node, parts, logger, `matcher-${i}`);
}

/** "poseidon-preimage-groth16" -> "poseidon-preimage". */
function circuitOf(d: MarketDescription): string {
  return d.name.replace(/-(groth16|plonk)$/, "");
}

/** "poseidon-preimage-groth16" -> "PoseidonPreimageGroth16": the wrapper contract's name. */
function contractOf(d: MarketDescription): string {
  return d.name
    .split("-")
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");
}

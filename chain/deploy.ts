/** One function deploys the whole system: matcher registry, marketplace, and optionally a test verifier. */
import { ContractFactory, type Signer } from "ethers";
import type { Address } from "../protocol/bytes.js";
import { type Domain, makeDomain } from "../protocol/eip712.js";
import { type Artifacts, compileContracts } from "./compile.js";
import { ErrorDecoder } from "./errors.js";
import { MarketplaceClient } from "./marketplace-client.js";
import { waitForReceipt } from "./receipt.js";
import { RegistryClient } from "./registry-client.js";

/** Deployment parameters; every field optional. */
export interface DeployOptions {
  /** Owner of the registry and the treasury. Default: the deployer. */
  owner?: Address;
  /** Bond per matcher. Default 1 ether: enough that equivocating costs more than a test's gain. */
  matcherBond?: bigint;
  /** Lease length. Default 30 s: a failover within half a minute. */
  leaseDurationS?: number;
  /** Attestation freshness window. Default 3600 s. */
  attestationMaxAgeS?: number;
  /** Delay before an exiting matcher's bond is released. Default 86,400 s: a day to prove an equivocation. */
  matcherExitDelayS?: number;
  /** Collateral withdrawal delay. Default 3600 s: longer than the proving times a market allows by default. */
  collateralWithdrawalDelayS?: number;
  /** Also deploy TestVerifier (accepts proofs starting with 0x01). Default false. */
  withTestVerifier?: boolean;
  /** Precompiled artifacts. Default: compileContracts(). */
  artifacts?: Artifacts;
}

/** A deployed system and the handles to use it. */
export interface KalypsoDeployment {
  chainId: bigint;
  marketplace: MarketplaceClient;
  registry: RegistryClient;
  /** Domain of requests, quotes and cancels. */
  marketDomain: Domain;
  /** Domain of batch headers, heartbeats, assignment batches and attestations. */
  registryDomain: Domain;
  testVerifier?: Address;
  artifacts: Artifacts;
  /** Block the marketplace was deployed in: where an event reader starts. */
  deployBlock: number;
}

async function deployOne(
  signer: Signer,
  artifacts: Artifacts,
  name: string,
  args: unknown[],
): Promise<Address> {
  const a = artifacts[name]!;
  const factory = new ContractFactory(a.abi as never, a.bytecode, signer);
  try {
    const c = await factory.deploy(...args);
    const tx = c.deploymentTransaction()!;
    await waitForReceipt(tx.provider, tx);
    return (await c.getAddress()).toLowerCase() as Address;
  } catch (e) {
    throw new ErrorDecoder([a.abi as never]).toChainError(e, `deploy ${name}`);
  }
}

/** Deploy the registry and the marketplace (and TestVerifier if asked) from `signer`. */
export async function deployKalypso(signer: Signer, options: DeployOptions = {}): Promise<KalypsoDeployment> {
  const artifacts = options.artifacts ?? compileContracts();
  const provider = signer.provider!;
  const chainId = (await provider.getNetwork()).chainId;
  const owner = options.owner ?? ((await signer.getAddress()).toLowerCase() as Address);
  const registryAddress = await deployOne(signer, artifacts, "MatcherRegistry", [
    owner,
    options.matcherBond ?? 10n ** 18n,
    options.leaseDurationS ?? 30,
    options.attestationMaxAgeS ?? 3600,
    options.matcherExitDelayS ?? 86_400,
  ]);
  const marketplaceAddress = await deployOne(signer, artifacts, "Marketplace", [
    registryAddress,
    owner,
    options.collateralWithdrawalDelayS ?? 3600,
  ]);
  const deployBlock = await provider.getBlockNumber();
  const testVerifier = options.withTestVerifier
    ? await deployOne(signer, artifacts, "TestVerifier", [])
    : undefined;
  const registryAbi = artifacts.MatcherRegistry!.abi as never;
  return {
    chainId,
    marketplace: new MarketplaceClient(marketplaceAddress, artifacts.Marketplace!.abi as never, signer, [
      registryAbi,
    ]),
    registry: new RegistryClient(registryAddress, registryAbi, signer),
    marketDomain: makeDomain(chainId, marketplaceAddress),
    registryDomain: makeDomain(chainId, registryAddress),
    testVerifier,
    artifacts,
    deployBlock,
  };
}

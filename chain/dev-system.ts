/**
 * A dev chain with the whole system deployed, an emulated attestation verifier key trusted, two
 * matchers registered, the first holding the lease, and a market on TestVerifier: what tests, the
 * gas benchmark and local demos start from. Roles are anvil's funded accounts by index.
 */
import type { JsonRpcSigner } from "ethers";
import {
  type Address,
  fromHex,
  type Hex32,
  keccak,
  type ProofRequest,
  privateKeyToAddress,
  type Quote,
  type SignedQuote,
  type SignedRequest,
  signQuote,
  signRequest,
  toHex,
  ZERO_HASH,
} from "../protocol/index.js";
import { defaultBackend } from "../protocol/signature.js";
import {
  type BatchEntry,
  buildAssignmentBatch,
  type SignedAssignmentBatch,
  signAssignmentBatch,
} from "./assignment-batch.js";
import { signAttestation } from "./attestation.js";
import { type DeployOptions, deployKalypso, type KalypsoDeployment } from "./deploy.js";
import { DevChain, type DevChainInit } from "./devchain.js";
import type { MarketplaceClient } from "./marketplace-client.js";
import type { RegistryClient } from "./registry-client.js";

/** Roles by anvil account index (verifierKey: the emulated attestation verifier, never sends). */
export const ROLE = {
  owner: 0,
  requester: 1,
  prover: 2,
  leader: 3,
  other: 4,
  verifierKey: 5,
  matcher2: 6,
  requester2: 7,
  prover2: 8,
} as const;
export type Role = keyof typeof ROLE;

/** The whitelisted matcher image of the dev system. */
export const MATCHER_IMAGE = `0x${"ab".repeat(32)}` as Hex32;
/** Collateral per request of the dev market. */
export const COLLATERAL = 10n ** 16n;
/** A proof TestVerifier accepts, and one it rejects. */
export const ACCEPT = Uint8Array.of(1, 2, 3);
export const REJECT = Uint8Array.of(0, 2, 3);
/** Public inputs of the dev requests. */
export const INPUTS = new TextEncoder().encode('{"a":"3","b":"11"}');
export const INPUTS_HASH = toHex(keccak(INPUTS)) as Hex32;

/** The 64-byte public key of a private key (what the registry takes as an enclave key). */
export function enclaveKeyOf(key: Uint8Array): Uint8Array {
  return defaultBackend.publicKey(key).subarray(1);
}

/** A deployed system with its roles' keys, and builders for signed messages. */
export class DevSystem {
  readonly keys: Record<Role, Uint8Array>;
  readonly addr: Record<Role, Address>;
  marketId = 0;
  private nonce = 0n;

  constructor(
    readonly chain: DevChain,
    readonly d: KalypsoDeployment,
  ) {
    this.keys = Object.fromEntries(
      Object.entries(ROLE).map(([r, i]) => [r, fromHex(chain.keys[i]!)]),
    ) as Record<Role, Uint8Array>;
    this.addr = Object.fromEntries(
      Object.entries(this.keys).map(([r, k]) => [r, privateKeyToAddress(k)]),
    ) as Record<Role, Address>;
  }

  /** The anvil-unlocked signer of a role. */
  signer(role: Role): Promise<JsonRpcSigner> {
    return this.chain.provider.getSigner(this.addr[role]);
  }

  /** The marketplace client sending as `role`. */
  async market(role: Role): Promise<MarketplaceClient> {
    return this.d.marketplace.connect(await this.signer(role));
  }

  /** The registry client sending as `role`. */
  async registry(role: Role): Promise<RegistryClient> {
    return this.d.registry.connect(await this.signer(role));
  }

  /** A fresh request in the market, valid for 10 minutes. */
  async request(over: Partial<ProofRequest> = {}, role: Role = "requester"): Promise<ProofRequest> {
    const now = await this.chain.now();
    return {
      marketId: this.marketId,
      requester: this.addr[role],
      inputsHash: INPUTS_HASH,
      secretHash: ZERO_HASH,
      maxPrice: 10n ** 15n,
      assignBy: now + 600,
      provingTime: 120,
      nonce: ++this.nonce,
      ...over,
    };
  }

  /** The request signed by `role`. */
  signedRequest(r: ProofRequest, role: Role = "requester"): SignedRequest {
    return signRequest(this.d.marketDomain, r, this.keys[role]);
  }

  /** A fresh signed quote in the market, valid for 5 minutes. */
  async quote(over: Partial<Quote> = {}, role: Role = "prover"): Promise<SignedQuote> {
    const now = await this.chain.now();
    const q: Quote = {
      marketId: this.marketId,
      prover: this.addr[role],
      price: 4n * 10n ** 14n,
      provingTime: 60,
      capacity: 64,
      validUntil: now + 300,
      nonce: ++this.nonce,
      ...over,
    };
    return signQuote(this.d.marketDomain, q, this.keys[role]);
  }

  /** Entries laid out and signed by the leader for the current term (or `term`). */
  async batch(entries: BatchEntry[], term?: number, leader: Role = "leader"): Promise<SignedAssignmentBatch> {
    const t = term ?? (await this.d.registry.lease()).term;
    return signAssignmentBatch(
      this.d.registryDomain,
      t,
      buildAssignmentBatch(this.d.marketDomain, entries),
      this.keys[leader],
    );
  }
}

/** Start anvil (default: idle miner on; tests pass idleMineIntervalMs 0), deploy, trust a verifier key and image, register and elect the leader, create a market. */
export async function startDevSystem(
  init: DevChainInit = {},
  deploy: DeployOptions = {},
): Promise<DevSystem> {
  const chain = await DevChain.start(init);
  try {
    const owner = await chain.provider.getSigner(0);
    const d = await deployKalypso(owner, { withTestVerifier: true, ...deploy });
    const w = new DevSystem(chain, d);
    await d.registry.setAttestationVerifier(w.addr.verifierKey, true);
    await d.registry.setMatcherImage(MATCHER_IMAGE, true);
    const now = await chain.now();
    for (const role of ["leader", "matcher2"] as const) {
      const att = signAttestation(
        d.registryDomain,
        w.keys.verifierKey,
        enclaveKeyOf(w.keys[role]),
        MATCHER_IMAGE,
        now,
      );
      await (await w.registry(role)).register(enclaveKeyOf(w.keys[role]), att, 10n ** 18n);
    }
    await (await w.registry("leader")).claim();
    const { marketId } = await d.marketplace.createMarket(
      {
        verifier: d.testVerifier!,
        collateralPerRequest: COLLATERAL,
        minProvingTime: 10,
        maxProvingTime: 3600,
        requiresTee: false,
      },
      INPUTS,
      ACCEPT,
    );
    w.marketId = marketId;
    return w;
  } catch (e) {
    await chain.stop();
    throw e;
  }
}

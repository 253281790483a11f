/** Typed client of the MatcherRegistry contract. */
import { Contract, type ContractRunner, type InterfaceAbi, type TransactionReceipt } from "ethers";
import type { Address, Hex32 } from "../protocol/bytes.js";
import type { BatchHeader, Signature } from "../protocol/messages.js";
import { batchHeaderTuple, toSig } from "./abi-codec.js";
import type { AttestationTuple } from "./attestation.js";
import { ContractClient } from "./contract-client.js";

/** The lease as the registry holds it. */
export interface Lease {
  leader: Address;
  term: number;
  /** Chain time (s); the lease is held while now < expiresAt. */
  expiresAt: number;
}

/** The matcher registry: attestation keys, images, matchers and bonds, the lease, equivocation. */
export class RegistryClient extends ContractClient {
  private readonly abi: InterfaceAbi;

  constructor(address: string, abi: InterfaceAbi, runner: ContractRunner) {
    super(new Contract(address, abi, runner), address, [abi]);
    this.abi = abi;
  }

  /** The same contract, sending as `runner`. */
  connect(runner: ContractRunner): RegistryClient {
    return new RegistryClient(this.address, this.abi, runner);
  }

  private fn(name: string) {
    return this.contract.getFunction(name);
  }

  /** Trust or distrust an attestation verifier key (owner only). */
  setAttestationVerifier(verifier: Address, trusted: boolean): Promise<TransactionReceipt> {
    return this.send("setAttestationVerifier", () => this.fn("setAttestationVerifier")(verifier, trusted));
  }

  /** Whitelist a matcher image (owner only). */
  setMatcherImage(imageId: Hex32, allowed: boolean): Promise<TransactionReceipt> {
    return this.send("setMatcherImage", () => this.fn("setMatcherImage")(imageId, allowed));
  }

  /** Whitelist a TEE prover image (owner only). */
  setProverImage(imageId: Hex32, allowed: boolean): Promise<TransactionReceipt> {
    return this.send("setProverImage", () => this.fn("setProverImage")(imageId, allowed));
  }

  /** Register a matcher enclave (64-byte public key) with its attestation, paying `bond`. */
  register(enclaveKey: Uint8Array, attestation: AttestationTuple, bond: bigint): Promise<TransactionReceipt> {
    return this.send("register", () => this.fn("register")(enclaveKey, attestation, { value: bond }));
  }

  /** Record a TEE prover's attestation. */
  attestProver(enclaveKey: Uint8Array, attestation: AttestationTuple): Promise<TransactionReceipt> {
    return this.send("attestProver", () => this.fn("attestProver")(enclaveKey, attestation));
  }

  /** Claim the expired lease (sender: a registered matcher enclave). */
  claim(): Promise<TransactionReceipt> {
    return this.send("claim", () => this.fn("claim")());
  }

  /** Renew the held lease. */
  renew(): Promise<TransactionReceipt> {
    return this.send("renew", () => this.fn("renew")());
  }

  /** Prove an equivocation: two leader-signed headers for one (term, seq). */
  reportEquivocation(
    a: BatchHeader,
    sigA: Signature,
    b: BatchHeader,
    sigB: Signature,
  ): Promise<TransactionReceipt> {
    return this.send("reportEquivocation", () =>
      this.fn("reportEquivocation")(batchHeaderTuple(a), toSig(sigA), batchHeaderTuple(b), toSig(sigB)),
    );
  }

  /** Stop leading for good; the bond is released after the exit delay (operator only). */
  requestExit(matcher: Address): Promise<TransactionReceipt> {
    return this.send("requestExit", () => this.fn("requestExit")(matcher));
  }

  /** Credit an exited matcher's bond to the operator's withdrawable balance (operator only). */
  releaseBond(matcher: Address): Promise<TransactionReceipt> {
    return this.send("releaseBond", () => this.fn("releaseBond")(matcher));
  }

  /** Withdraw the sender's bounties (and the owner's treasury). */
  withdraw(): Promise<TransactionReceipt> {
    return this.send("withdraw", () => this.fn("withdraw")());
  }

  /** The current lease. */
  async lease(): Promise<Lease> {
    const [leader, term, expiresAt] = await this.view("lease", () => this.fn("lease")());
    return {
      leader: (leader as string).toLowerCase() as Address,
      term: Number(term),
      expiresAt: Number(expiresAt),
    };
  }

  /** Whether a prover has a valid TEE attestation on record. */
  isAttestedProver(prover: Address): Promise<boolean> {
    return this.view("isAttestedProver", () => this.fn("isAttestedProver")(prover) as Promise<boolean>);
  }

  /** A matcher's registration. */
  async matcher(
    enclave: Address,
  ): Promise<{ operator: Address; bond: bigint; imageId: Hex32; slashed: boolean }> {
    const m = await this.view("matchers", () => this.fn("matchers")(enclave));
    return { operator: (m[0] as string).toLowerCase() as Address, bond: m[1], imageId: m[2], slashed: m[3] };
  }

  /** Ether an account may withdraw from the registry. */
  withdrawable(account: Address): Promise<bigint> {
    return this.view("withdrawable", () => this.fn("withdrawable")(account) as Promise<bigint>);
  }
}

/**
 * Attested enclave keys as the matcher registry records them: a matcher's key from its
 * `MatcherRegistered` event, a TEE prover's from its `ProverAttested` event (the registry keeps
 * only addresses in storage; the keys are in the events). Every key is checked against the address
 * the registry derived from it (keccak256(key)[12:]), so a wrong log cannot redirect an input key.
 */
import { Contract, type Provider } from "ethers";
import { type Address, fromHex } from "../../protocol/bytes.js";
import { enclaveKeyToAddress } from "../tee/registry-attestation.js";
import { type EnclaveRecipient, sealWitness } from "./private-envelope.js";
import { PrivateInputsError } from "./private-errors.js";

// Only what this file reads, so it does not depend on the compiled artifacts.
const ABI = [
  "event MatcherRegistered(address indexed matcher, address indexed operator, bytes32 imageId, bytes enclaveKey)",
  "event ProverAttested(address indexed prover, bytes32 imageId, bytes enclaveKey)",
  "function lease() view returns (address, uint64, uint64)",
  "function isAttestedProver(address prover) view returns (bool)",
];

/** Where the registry is. */
export interface EnclaveKeyDirectoryInit {
  provider: Provider;
  /** The MatcherRegistry's address. */
  registry: string;
  /** First block to search for registrations (the deployment block). Default 0. */
  fromBlock?: number;
}

/** Reads attested enclave keys from the matcher registry; keys are cached (they never change). */
export class EnclaveKeyDirectory {
  private readonly contract: Contract;
  private readonly cache = new Map<string, Uint8Array>();

  constructor(private readonly init: EnclaveKeyDirectoryInit) {
    this.contract = new Contract(init.registry, ABI, init.provider);
  }

  /** The current lease holder and its registered enclave key: whom a requester seals to. */
  async leader(): Promise<EnclaveRecipient> {
    const [leader] = (await this.contract.getFunction("lease")()) as [string];
    const address = leader.toLowerCase() as Address;
    return { address, publicKey: await this.matcherKey(address) };
  }

  /** A registered matcher's enclave key (65 bytes, 0x04 prefix); PRIVATE_NO_ENCLAVE_KEY if none. */
  matcherKey(matcher: Address): Promise<Uint8Array> {
    return this.keyFrom("MatcherRegistered", matcher);
  }

  /**
   * An attested prover's enclave key; PRIVATE_NO_ENCLAVE_KEY if it is not attested now (never, or
   * its image was withdrawn), since only an attested prover's enclave may read a witness.
   */
  async proverKey(prover: Address): Promise<Uint8Array> {
    const attested = (await this.contract.getFunction("isAttestedProver")(prover)) as boolean;
    if (!attested) {
      throw new PrivateInputsError(
        "PRIVATE_NO_ENCLAVE_KEY",
        `prover ${prover} is not an attested TEE prover`,
      );
    }
    return this.keyFrom("ProverAttested", prover);
  }

  private async keyFrom(event: "MatcherRegistered" | "ProverAttested", who: Address): Promise<Uint8Array> {
    const id = `${event}:${who.toLowerCase()}`;
    const cached = this.cache.get(id);
    if (cached) return cached;
    const filter = this.contract.filters[event]!(who);
    const logs = await this.contract.queryFilter(filter, this.init.fromBlock ?? 0, "latest");
    for (const log of logs.reverse()) {
      if (!("args" in log)) continue;
      const raw = fromHex(String(log.args.enclaveKey));
      // The registry derives the address from the key: a mismatch means this is not its log.
      if (raw.length !== 64 || enclaveKeyToAddress(raw) !== who.toLowerCase()) continue;
      const key = new Uint8Array(65);
      key[0] = 0x04;
      key.set(raw, 1);
      this.cache.set(id, key);
      return key;
    }
    throw new PrivateInputsError(
      "PRIVATE_NO_ENCLAVE_KEY",
      `no ${event} event with an enclave key for ${who} in the registry`,
    );
  }
}

/** A requester's sealer: seals each witness to the enclave of the lease holder at that moment. */
export function sealToLeader(keys: EnclaveKeyDirectory): (witness: Uint8Array) => Promise<Uint8Array> {
  return async (witness) => sealWitness(witness, [await keys.leader()]);
}

/**
 * Enclave attestations as the matcher registry checks them: the attestation verifier signs the
 * chain-only EIP-712 struct `Attestation(bytes enclaveKey,bytes32 imageId,uint64 timestamp)` under
 * the registry's domain. The emulated TEE provider signs with a local test verifier key; a Nitro
 * verifier enclave signs the same struct after checking the hardware document.
 */
import { AbiCoder } from "ethers";
import { fromHex, type Hex32, toHex } from "../protocol/bytes.js";
import { type Domain, keccak, keccakString, typedDataDigest } from "../protocol/eip712.js";
import { signDigest } from "../protocol/signature.js";
import { type SigTuple, toSig } from "./abi-codec.js";

/** keccak256("Attestation(bytes enclaveKey,bytes32 imageId,uint64 timestamp)"). */
export const ATTESTATION_TYPEHASH = toHex(
  keccakString("Attestation(bytes enclaveKey,bytes32 imageId,uint64 timestamp)"),
);

/** The `Attestation` struct the registry takes. */
export interface AttestationTuple {
  imageId: Hex32;
  timestamp: bigint;
  signature: SigTuple;
}

/** The digest an attestation verifier signs. `enclaveKey` is the 64-byte public key (no 0x04). */
export function attestationDigest(
  registryDomain: Domain,
  enclaveKey: Uint8Array,
  imageId: Hex32,
  timestamp: number,
): Uint8Array {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "bytes32", "bytes32", "uint64"],
    [ATTESTATION_TYPEHASH, toHex(keccak(enclaveKey)), imageId, timestamp],
  );
  return typedDataDigest(registryDomain, keccak(fromHex(encoded)));
}

/** Sign an attestation with an attestation verifier's key (the emulated verifier, in tests and devnets). */
export function signAttestation(
  registryDomain: Domain,
  verifierKey: Uint8Array,
  enclaveKey: Uint8Array,
  imageId: Hex32,
  timestamp: number,
): AttestationTuple {
  const digest = attestationDigest(registryDomain, enclaveKey, imageId, timestamp);
  return { imageId, timestamp: BigInt(timestamp), signature: toSig(toHex(signDigest(digest, verifierKey))) };
}

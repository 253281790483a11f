/**
 * Emulated attestations: what `EmulatedEnclave.attest` returns in place of a hardware document.
 * A local test key (the "emulated hardware") signs the enclave key, PCR0-2, a timestamp and the
 * user data. Nothing here is evidence of a real TEE: the type says "emulated" so it can never be
 * mistaken for a Nitro document, and only a verifier configured to trust the test key accepts it.
 *
 * Signed digest: keccak256("kalypso.emulated-attestation.v1" || publicKey (65) || PCR0 || PCR1 ||
 * PCR2 (48 each) || timestampMs (uint64 BE) || keccak256(userData)), 65-byte r||s||v.
 */
import {
  type Address,
  concat,
  fromHex,
  type Hex,
  type Hex32,
  isHexOfLength,
  toHex,
} from "../../protocol/bytes.js";
import { keccak } from "../../protocol/eip712.js";
import { recoverAddress, signDigest } from "../../protocol/signature.js";
import { type AttestationPolicy, checkPolicy } from "./attestation-policy.js";
import { normalizeEnclaveKey } from "./enclave-key.js";
import { TeeError } from "./errors.js";
import { imageIdOf, isDebugImage, PCR_BYTES, type Pcrs012 } from "./image-id.js";

const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;
const DOMAIN_TAG = new TextEncoder().encode("kalypso.emulated-attestation.v1");

/** Largest user data, as for Nitro documents. */
export const MAX_USER_DATA_BYTES = 1024;

/** An emulated attestation document. */
export interface EmulatedAttestation {
  kind: "emulated";
  /** Uncompressed secp256k1 enclave key (65 bytes). */
  publicKey: Hex;
  /** PCR0-2, 48 bytes each. */
  pcrs: readonly [Hex, Hex, Hex];
  timestampMs: number;
  userData: Hex;
  /** 65-byte r||s||v by the emulated attestation key. */
  signature: Hex;
}

/** An emulated attestation that passed `verifyEmulatedAttestation`. */
export interface VerifiedEmulatedAttestation {
  kind: "emulated";
  publicKey: Uint8Array;
  pcr012: Pcrs012;
  imageId: Hex32;
  timestampMs: number;
  userData: Uint8Array;
  debug: boolean;
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** The digest the emulated attestation key signs. */
export function emulatedAttestationDigest(a: Omit<EmulatedAttestation, "signature" | "kind">): Uint8Array {
  return keccak(
    concat([
      DOMAIN_TAG,
      fromHex(a.publicKey),
      ...a.pcrs.map((p) => fromHex(p)),
      u64(a.timestampMs),
      keccak(fromHex(a.userData)),
    ]),
  );
}

/** Signs an emulated attestation with the local test attestation key. */
export function signEmulatedAttestation(
  attestationKey: Uint8Array,
  publicKey: Uint8Array,
  pcrs: Pcrs012,
  timestampMs: number,
  userData: Uint8Array,
): EmulatedAttestation {
  if (userData.length > MAX_USER_DATA_BYTES) {
    throw new TeeError(
      "EMULATED_MALFORMED",
      `user data is ${userData.length} bytes, at most ${MAX_USER_DATA_BYTES}`,
    );
  }
  const body = {
    publicKey: toHex(normalizeEnclaveKey(publicKey)),
    pcrs: [toHex(pcrs[0]), toHex(pcrs[1]), toHex(pcrs[2])] as const,
    timestampMs,
    userData: toHex(userData),
  };
  return {
    kind: "emulated",
    ...body,
    signature: toHex(signDigest(emulatedAttestationDigest(body), attestationKey)),
  };
}

function malformed(message: string): TeeError {
  return new TeeError("EMULATED_MALFORMED", message);
}

/**
 * Checks an emulated attestation against the trusted emulated attestation key's address, at an
 * explicit time, under a policy. EMULATED_MALFORMED, EMULATED_UNTRUSTED_SIGNER, then the policy's
 * EMULATED_DEBUG_MODE / _PCR_MISMATCH / _STALE / _FUTURE_TIMESTAMP.
 */
export function verifyEmulatedAttestation(
  a: EmulatedAttestation,
  options: { trustedSigner: Address; atMs: number; policy: AttestationPolicy },
): VerifiedEmulatedAttestation {
  if (a.kind !== "emulated") throw malformed(`attestation kind is ${String(a.kind)}, expected emulated`);
  if (!isHexOfLength(a.publicKey, 65)) throw malformed("publicKey is not 65 bytes of hex");
  if (!Array.isArray(a.pcrs) || a.pcrs.length !== 3 || !a.pcrs.every((p) => isHexOfLength(p, PCR_BYTES))) {
    throw malformed(`pcrs is not three ${PCR_BYTES}-byte hex values`);
  }
  if (!Number.isSafeInteger(a.timestampMs) || a.timestampMs <= 0)
    throw malformed("timestampMs is not a positive integer");
  if (
    typeof a.userData !== "string" ||
    !HEX_RE.test(a.userData) ||
    a.userData.length > 2 + 2 * MAX_USER_DATA_BYTES
  ) {
    throw malformed(`userData is not hex of at most ${MAX_USER_DATA_BYTES} bytes`);
  }
  if (!isHexOfLength(a.signature, 65)) throw malformed("signature is not 65 bytes of hex");
  const publicKey = normalizeEnclaveKey(fromHex(a.publicKey));
  let signer: Address;
  try {
    signer = recoverAddress(emulatedAttestationDigest(a), fromHex(a.signature));
  } catch (cause) {
    throw new TeeError("EMULATED_UNTRUSTED_SIGNER", "emulated attestation signature does not recover", {
      cause,
    });
  }
  if (signer.toLowerCase() !== options.trustedSigner.toLowerCase()) {
    throw new TeeError(
      "EMULATED_UNTRUSTED_SIGNER",
      `emulated attestation is signed by ${signer}, the trusted emulated attestation key is ${options.trustedSigner}`,
    );
  }
  const pcr012 = a.pcrs.map((p) => fromHex(p)) as unknown as Pcrs012;
  checkPolicy("EMULATED", pcr012, a.timestampMs, options.atMs, options.policy);
  return {
    kind: "emulated",
    publicKey,
    pcr012,
    imageId: imageIdOf(pcr012),
    timestampMs: a.timestampMs,
    userData: fromHex(a.userData),
    debug: isDebugImage(pcr012),
  };
}

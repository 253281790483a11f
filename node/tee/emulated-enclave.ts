/**
 * The emulated enclave: a software secp256k1 key in this process, standing in for a hardware TEE
 * on machines without one (tests, devnets). Its attestations are signed by a local test key and
 * say `kind: "emulated"`; a production verifier never trusts that key. It offers none of a real
 * enclave's protection: the key is ordinary process memory.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Address } from "../../protocol/bytes.js";
import { defaultBackend, publicKeyToAddress, signDigest } from "../../protocol/signature.js";
import type { Logger } from "../logger.js";
import { eciesDecrypt } from "./ecies.js";
import { type EmulatedAttestation, signEmulatedAttestation } from "./emulated-attestation.js";
import type { Enclave, EnclaveCallOptions } from "./enclave.js";
import { TeeError } from "./errors.js";
import { imageIdOf, type Pcrs012 } from "./image-id.js";

/** PCR0-2 of the emulated image: SHA-384 of fixed labels, so never all zero (not a debug image). */
export const EMULATED_PCRS: Pcrs012 = [0, 1, 2].map(
  (i) => new Uint8Array(createHash("sha384").update(`kalypso emulated enclave pcr${i}`).digest()),
) as unknown as Pcrs012;

/** keccak256(PCR0 || PCR1 || PCR2) of the emulated image: whitelist it on devnets only. */
export const EMULATED_IMAGE_ID = imageIdOf(EMULATED_PCRS);

const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** What an emulated enclave needs from outside. */
export interface EmulatedEnclaveComponents {
  /** The local test attestation key that signs emulated attestations (the stand-in for the hardware). */
  attestationKey: Uint8Array;
  logger?: Logger;
}

/** Optional settings. */
export interface EmulatedEnclaveInit {
  /** The enclave's secp256k1 key. Default: a fresh random key (an enclave's key never leaves it). */
  privateKey?: Uint8Array;
  /** Measurements to report. Default: EMULATED_PCRS; all-zero emulates a debug image. */
  pcrs?: Pcrs012;
  /** Clock for attestation timestamps, ms. Default: Date.now. */
  now?: () => number;
}

function freshKey(): Uint8Array {
  for (;;) {
    const k = new Uint8Array(randomBytes(32));
    const n = BigInt(`0x${Buffer.from(k).toString("hex")}`);
    if (n !== 0n && n < CURVE_ORDER) return k;
  }
}

/** A software enclave that implements `Enclave` with kind "emulated". */
export class EmulatedEnclave implements Enclave {
  readonly kind = "emulated" as const;
  readonly publicKey: Uint8Array;
  readonly address: Address;
  readonly pcrs: Pcrs012;
  readonly #privateKey: Uint8Array;
  readonly #attestationKey: Uint8Array;
  readonly #now: () => number;

  constructor(components: EmulatedEnclaveComponents, init: EmulatedEnclaveInit = {}) {
    this.#privateKey = init.privateKey ?? freshKey();
    this.#attestationKey = components.attestationKey;
    this.#now = init.now ?? Date.now;
    this.pcrs = init.pcrs ?? EMULATED_PCRS;
    this.publicKey = defaultBackend.publicKey(this.#privateKey);
    this.address = publicKeyToAddress(this.publicKey);
    components.logger?.info(
      { kind: this.kind, enclave: this.address, imageId: imageIdOf(this.pcrs) },
      "emulated enclave started: software key, not a hardware TEE",
    );
  }

  async sign(digest: Uint8Array, options: EnclaveCallOptions = {}): Promise<Uint8Array> {
    options.signal?.throwIfAborted();
    if (digest.length !== 32)
      throw new TeeError("ENCLAVE_BAD_KEY", `digest is ${digest.length} bytes, expected 32`);
    return signDigest(digest, this.#privateKey);
  }

  async decrypt(ciphertext: Uint8Array, options: EnclaveCallOptions = {}): Promise<Uint8Array> {
    options.signal?.throwIfAborted();
    return eciesDecrypt(this.#privateKey, ciphertext);
  }

  async attest(userData: Uint8Array, options: EnclaveCallOptions = {}): Promise<EmulatedAttestation> {
    options.signal?.throwIfAborted();
    return signEmulatedAttestation(this.#attestationKey, this.publicKey, this.pcrs, this.#now(), userData);
  }
}

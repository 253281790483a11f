import assert from "node:assert/strict";
import { TypedDataEncoder, Wallet } from "ethers";
import { DEBUG_POLICY, PRODUCTION_POLICY } from "../../../node/tee/attestation-policy.js";
import {
  type AttestationVerifierConfig,
  verifyAndSignAttestation,
} from "../../../node/tee/attestation-verifier.js";
import { loadAwsNitroRoot } from "../../../node/tee/aws-nitro-root.js";
import { EMULATED_IMAGE_ID, EmulatedEnclave } from "../../../node/tee/emulated-enclave.js";
import type { EnclaveAttestation } from "../../../node/tee/enclave.js";
import type { TeeErrorCode } from "../../../node/tee/errors.js";
import {
  attestationDigest,
  enclaveKeyToAddress,
  recoverAttestationSigner,
  type SignedRegistryAttestation,
  signRegistryAttestation,
} from "../../../node/tee/registry-attestation.js";
import { type Address, fromHex, toHex } from "../../../protocol/bytes.js";
import { keccak, makeDomain } from "../../../protocol/eip712.js";
import { privateKeyToAddress } from "../../../protocol/signature.js";
import { MANIFEST, readDocument } from "./nitro-fixtures.js";
import { expectTeeRejection, testKey } from "./tee-errors.js";

const REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3" as Address;
const registry = makeDomain(31337n, REGISTRY);
const VERIFIER_KEY = testKey(7);
const VERIFIER = privateKeyToAddress(VERIFIER_KEY);
const EMULATED_KEY = testKey(8);
const NOW_MS = 1_800_000_000_000;

/** The same struct and domain as ethers describes them: the independent reference. */
const ETHERS_TYPES = {
  Attestation: [
    { name: "enclaveKey", type: "bytes" },
    { name: "imageId", type: "bytes32" },
    { name: "timestamp", type: "uint64" },
  ],
};
const ETHERS_DOMAIN = { name: "Kalypso", version: "1", chainId: 31337n, verifyingContract: REGISTRY };

const baseConfig: AttestationVerifierConfig = {
  registry,
  verifierKey: VERIFIER_KEY,
  nitroRoot: loadAwsNitroRoot(),
  emulatedSigner: privateKeyToAddress(EMULATED_KEY),
  policy: PRODUCTION_POLICY,
};

function entry(file: string) {
  const e = MANIFEST.find((m) => m.file === file);
  assert.ok(e, `${file} is in the manifest`);
  return e;
}

describe("node/tee attestation verifier service and the registry attestation", () => {
  it("the digest is EIP-712 Attestation(bytes enclaveKey,bytes32 imageId,uint64 timestamp) under the registry domain", () => {
    const values = [
      {
        enclaveKey: toHex(new Uint8Array(64).fill(3)),
        imageId: toHex(keccak(new Uint8Array([1]))),
        timestamp: 0,
      },
      {
        enclaveKey: toHex(new Uint8Array(64).fill(0xfe)),
        imageId: EMULATED_IMAGE_ID,
        timestamp: 1_734_075_478,
      },
      { enclaveKey: toHex(new Uint8Array(64).fill(9)), imageId: EMULATED_IMAGE_ID, timestamp: 2 ** 53 - 1 },
    ];
    for (const v of values) {
      assert.equal(
        toHex(attestationDigest(registry, v)),
        TypedDataEncoder.hash(ETHERS_DOMAIN, ETHERS_TYPES, v),
        `digest equals ethers' for timestamp ${v.timestamp}`,
      );
    }
  });

  it("signatures match ethers' signTypedData and recover to the verifier", async () => {
    const a = {
      enclaveKey: toHex(new Uint8Array(64).fill(5)),
      imageId: EMULATED_IMAGE_ID,
      timestamp: 1_800_000_000,
    };
    const signed = signRegistryAttestation(registry, a, VERIFIER_KEY);
    const wallet = new Wallet(toHex(VERIFIER_KEY));
    assert.equal(
      signed.signature,
      await wallet.signTypedData(ETHERS_DOMAIN, ETHERS_TYPES, a),
      "same signature as ethers",
    );
    assert.equal(recoverAttestationSigner(registry, signed), VERIFIER, "recovers to the verifier");
  });

  it("a real Nitro document (Oyster-style secp256k1 public_key) becomes a registry attestation", () => {
    const e = entry("valid/marlin-sdk-aws.cbor");
    const result = verifyAndSignAttestation(
      { kind: "nitro", document: readDocument(e.file) },
      baseConfig,
      e.timestamp_ms!,
    );
    assert.equal(result.kind, "nitro", "kind");
    assert.equal(result.enclaveKey, `0x${e.public_key}`, "enclave key is the document's public_key");
    assert.equal(result.imageId, toHex(keccak(fromHex(`0x${e.pcr0}${e.pcr1}${e.pcr2}`))), "image id");
    assert.equal(result.timestamp, Math.floor(e.timestamp_ms! / 1000), "timestamp in seconds");
    assert.equal(result.enclaveAddress, enclaveKeyToAddress(fromHex(result.enclaveKey)), "enclave address");
    assert.equal(recoverAttestationSigner(registry, result), VERIFIER, "signed by the verifier");
  });

  it("an emulated enclave's attestation becomes a registry attestation for its own address", async () => {
    const enclave = new EmulatedEnclave({ attestationKey: EMULATED_KEY }, { now: () => NOW_MS });
    const result = verifyAndSignAttestation(await enclave.attest(new Uint8Array(0)), baseConfig, NOW_MS);
    assert.equal(result.kind, "emulated", "kind");
    assert.equal(result.enclaveAddress, enclave.address, "registry derives the enclave's address");
    assert.equal(result.imageId, EMULATED_IMAGE_ID, "image id");
    assert.equal(result.timestamp, NOW_MS / 1000, "timestamp in seconds");
    assert.equal(recoverAttestationSigner(registry, result), VERIFIER, "signed by the verifier");
  });

  it("a registry attestation altered after signing no longer recovers to the verifier", async () => {
    const enclave = new EmulatedEnclave({ attestationKey: EMULATED_KEY }, { now: () => NOW_MS });
    const good = verifyAndSignAttestation(await enclave.attest(new Uint8Array(0)), baseConfig, NOW_MS);
    const other = new EmulatedEnclave({ attestationKey: EMULATED_KEY });
    const altered: [string, SignedRegistryAttestation][] = [
      ["image id", { ...good, imageId: toHex(keccak(new Uint8Array([2]))) }],
      ["timestamp", { ...good, timestamp: good.timestamp + 1 }],
      ["enclave key", { ...good, enclaveKey: toHex(other.publicKey.subarray(1)) }],
    ];
    for (const [what, a] of altered) {
      assert.notEqual(recoverAttestationSigner(registry, a), VERIFIER, `${what} changed`);
    }
    const otherChain = makeDomain(1n, REGISTRY);
    assert.notEqual(recoverAttestationSigner(otherChain, good), VERIFIER, "replayed on another chain");
  });

  describe("what the verifier refuses to sign", () => {
    const cases: { name: string; run: () => Promise<unknown> | unknown; code: TeeErrorCode }[] = [
      {
        name: "Nitro debug document under the production policy",
        run: () => {
          const e = entry("valid/blocky-nitro-attestation-debug.b64");
          return verifyAndSignAttestation(
            { kind: "nitro", document: readDocument(e.file) },
            baseConfig,
            e.timestamp_ms!,
          );
        },
        code: "NITRO_DEBUG_MODE",
      },
      {
        name: "Nitro document with no public_key",
        run: () => {
          const e = entry("valid/anjuna-attestdoc-sample-prod-doc.cbor");
          return verifyAndSignAttestation(
            { kind: "nitro", document: readDocument(e.file) },
            baseConfig,
            e.timestamp_ms!,
          );
        },
        code: "ATTESTATION_NO_ENCLAVE_KEY",
      },
      {
        name: "Nitro document whose public_key is RSA, not secp256k1",
        run: () => {
          const e = entry("valid/anjuna-attestdoc-sample-prod-doc-with-publickey.cbor");
          return verifyAndSignAttestation(
            { kind: "nitro", document: readDocument(e.file) },
            baseConfig,
            e.timestamp_ms!,
          );
        },
        code: "ENCLAVE_BAD_KEY",
      },
      {
        name: "Nitro mock-root document",
        run: () => {
          const e = entry("negative/marlin-mock-custom.cbor");
          const config = { ...baseConfig, policy: DEBUG_POLICY };
          return verifyAndSignAttestation(
            { kind: "nitro", document: readDocument(e.file) },
            config,
            e.timestamp_ms!,
          );
        },
        code: "NITRO_UNTRUSTED_ROOT",
      },
      {
        name: "emulated attestation when no emulated key is trusted",
        run: async () => {
          const enclave = new EmulatedEnclave({ attestationKey: EMULATED_KEY }, { now: () => NOW_MS });
          const { emulatedSigner: _, ...production } = baseConfig;
          return verifyAndSignAttestation(await enclave.attest(new Uint8Array(0)), production, NOW_MS);
        },
        code: "EMULATED_UNTRUSTED_SIGNER",
      },
      {
        name: "emulated attestation signed by another test key",
        run: async () => {
          const enclave = new EmulatedEnclave({ attestationKey: testKey(10) }, { now: () => NOW_MS });
          return verifyAndSignAttestation(await enclave.attest(new Uint8Array(0)), baseConfig, NOW_MS);
        },
        code: "EMULATED_UNTRUSTED_SIGNER",
      },
      {
        name: "attestation of an unknown kind",
        run: () =>
          verifyAndSignAttestation({ kind: "sgx" } as unknown as EnclaveAttestation, baseConfig, NOW_MS),
        code: "ATTESTATION_UNKNOWN_KIND",
      },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.code}`, () => expectTeeRejection(async () => c.run(), c.code, c.name));
    }
  });
});

import assert from "node:assert/strict";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { enclaveAddress, normalizeEnclaveKey, registryEnclaveKey } from "../../../node/tee/enclave-key.js";
import { enclaveKeyToAddress } from "../../../node/tee/registry-attestation.js";
import { privateKeyToAddress } from "../../../protocol/signature.js";
import { expectTeeError, testKey } from "./tee-errors.js";

describe("node/tee enclave keys", () => {
  const secret = testKey(30);
  const uncompressed = secp256k1.getPublicKey(secret, false);
  const address = privateKeyToAddress(secret);

  const shapes: [string, Uint8Array][] = [
    ["65 bytes, 0x04 prefix", uncompressed],
    ["64 bytes x||y (Oyster's public_key)", uncompressed.subarray(1)],
    ["33 bytes compressed", secp256k1.getPublicKey(secret, true)],
  ];
  for (const [label, key] of shapes) {
    it(`${label}: normalised to the same key and address`, () => {
      assert.deepEqual(normalizeEnclaveKey(key), uncompressed, `${label}: uncompressed form`);
      assert.equal(enclaveAddress(key), address, `${label}: address`);
      assert.equal(enclaveKeyToAddress(registryEnclaveKey(key)), address, `${label}: registry derivation`);
    });
  }

  const bad: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["32 bytes", new Uint8Array(32).fill(1)],
    ["65 zero bytes", new Uint8Array(65)],
    [
      "64 bytes off the curve",
      Uint8Array.from(uncompressed.subarray(1)).map((b, i) => (i === 63 ? b ^ 1 : b)),
    ],
    ["RSA SubjectPublicKeyInfo length", new Uint8Array(294).fill(2)],
  ];
  for (const [label, key] of bad) {
    it(`${label}: ENCLAVE_BAD_KEY`, () => {
      expectTeeError(() => normalizeEnclaveKey(key), "ENCLAVE_BAD_KEY", label);
    });
  }
});

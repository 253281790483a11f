import assert from "node:assert/strict";
import { EmulatedEnclave } from "../../../node/tee/emulated-enclave.js";
import {
  decryptInputs,
  encryptInputs,
  INPUT_KEY_BYTES,
  openInputs,
  rewrapInputKey,
  sealInputs,
  secretHashOf,
  unwrapInputKey,
  wrapInputKey,
} from "../../../node/tee/private-inputs.js";
import { privateKeyToAddress } from "../../../protocol/signature.js";
import { expectTeeError, expectTeeRejection, testKey } from "./tee-errors.js";

const ATTESTATION_KEY = testKey(1);
const utf8 = new TextEncoder();

describe("node/tee private inputs", () => {
  const leader = new EmulatedEnclave({ attestationKey: ATTESTATION_KEY }, { privateKey: testKey(20) });
  const prover = new EmulatedEnclave({ attestationKey: ATTESTATION_KEY }, { privateKey: testKey(21) });
  const outsider = new EmulatedEnclave({ attestationKey: ATTESTATION_KEY }, { privateKey: testKey(22) });

  const inputs: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["short text", utf8.encode('{"a": 3, "b": 11}')],
    ["64 KiB", new Uint8Array(65536).map((_, i) => i % 251)],
  ];

  for (const [label, plaintext] of inputs) {
    it(`${label}: seal to the leader -> re-wrap to the prover -> the prover opens them`, async () => {
      const sealed = sealInputs(plaintext, leader.publicKey, leader.address);
      assert.ok(sealed.ciphertext.length === plaintext.length + 28, `${label}: iv + ciphertext + tag`);
      const hash = secretHashOf(sealed.ciphertext);
      const toProver = await rewrapInputKey(leader, sealed.wrappedKey, prover.publicKey, prover.address);
      const forProver = { ciphertext: sealed.ciphertext, wrappedKey: toProver };
      assert.deepEqual(await openInputs(prover, forProver), plaintext, `${label}: prover reads the inputs`);
      assert.deepEqual(await openInputs(leader, sealed), plaintext, `${label}: leader reads them too`);
      assert.equal(secretHashOf(forProver.ciphertext), hash, `${label}: re-wrapping keeps the secretHash`);
    });
  }

  it("an enclave the key was not wrapped to cannot unwrap it (coded error)", async () => {
    const sealed = sealInputs(utf8.encode("witness"), leader.publicKey);
    const toProver = await rewrapInputKey(leader, sealed.wrappedKey, prover.publicKey);
    const attempts: [string, EmulatedEnclave, Uint8Array][] = [
      ["outsider with the leader's wrap", outsider, sealed.wrappedKey],
      ["outsider with the prover's wrap", outsider, toProver],
      ["prover with the leader's wrap", prover, sealed.wrappedKey],
      ["leader with the prover's wrap", leader, toProver],
    ];
    for (const [label, enclave, wrappedKey] of attempts) {
      await expectTeeRejection(
        () => openInputs(enclave, { ciphertext: sealed.ciphertext, wrappedKey }),
        "ENCLAVE_DECRYPT_FAILED",
        label,
      );
    }
  });

  it("tampered ciphertext fails the GCM tag check (coded error)", async () => {
    const sealed = sealInputs(utf8.encode("witness: 42"), prover.publicKey);
    const key = await unwrapInputKey(prover, sealed.wrappedKey);
    const n = sealed.ciphertext.length;
    for (const [label, at] of [
      ["iv", 0],
      ["body", 14],
      ["tag", n - 1],
    ] as const) {
      const bad = Uint8Array.from(sealed.ciphertext);
      bad[at]! ^= 0x80;
      expectTeeError(() => decryptInputs(key, bad), "INPUTS_TAMPERED", `${label} byte flipped`);
      await expectTeeRejection(
        () => openInputs(prover, { ciphertext: bad, wrappedKey: sealed.wrappedKey }),
        "INPUTS_TAMPERED",
        `${label} byte flipped, through the enclave`,
      );
    }
    expectTeeError(
      () => decryptInputs(key, sealed.ciphertext.subarray(0, 27)),
      "INPUTS_MALFORMED",
      "truncated",
    );
    const wrongKey = new Uint8Array(INPUT_KEY_BYTES).fill(1);
    expectTeeError(() => decryptInputs(wrongKey, sealed.ciphertext), "INPUTS_TAMPERED", "another AES key");
  });

  it("a tampered wrapped key fails in the enclave (coded error)", async () => {
    const sealed = sealInputs(utf8.encode("x"), prover.publicKey);
    const bad = Uint8Array.from(sealed.wrappedKey);
    bad[bad.length - 1]! ^= 1;
    await expectTeeRejection(
      () => openInputs(prover, { ...sealed, wrappedKey: bad }),
      "ENCLAVE_DECRYPT_FAILED",
      "wrapped key bit flipped",
    );
  });

  it("wrapping refuses a public key that is not the attested enclave's", () => {
    expectTeeError(
      () => wrapInputKey(new Uint8Array(32), leader.publicKey, prover.address),
      "ENCLAVE_BAD_KEY",
      "leader key offered as the prover",
    );
    expectTeeError(
      () => sealInputs(utf8.encode("x"), new Uint8Array(65)),
      "ENCLAVE_BAD_KEY",
      "not a curve point",
    );
    assert.equal(prover.address, privateKeyToAddress(testKey(21)), "fixture sanity");
  });

  it("encryption is randomised: the same inputs never give the same ciphertext", () => {
    const key = new Uint8Array(INPUT_KEY_BYTES).fill(9);
    const a = encryptInputs(key, utf8.encode("same"));
    const b = encryptInputs(key, utf8.encode("same"));
    assert.notDeepEqual(a, b, "fresh iv per encryption");
    assert.deepEqual(decryptInputs(key, a), utf8.encode("same"), "round trip");
  });
});

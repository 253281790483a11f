import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { pino } from "pino";
import { DEBUG_POLICY, PRODUCTION_POLICY } from "../../../node/tee/attestation-policy.js";
import { eciesEncrypt } from "../../../node/tee/ecies.js";
import {
  type EmulatedAttestation,
  verifyEmulatedAttestation,
} from "../../../node/tee/emulated-attestation.js";
import { EMULATED_IMAGE_ID, EMULATED_PCRS, EmulatedEnclave } from "../../../node/tee/emulated-enclave.js";
import type { TeeErrorCode } from "../../../node/tee/errors.js";
import { imageIdOf, type Pcrs012 } from "../../../node/tee/image-id.js";
import { fromHex, toHex } from "../../../protocol/bytes.js";
import { keccakString } from "../../../protocol/eip712.js";
import { privateKeyToAddress, recoverAddress } from "../../../protocol/signature.js";
import { expectTeeError, expectTeeRejection, testKey } from "./tee-errors.js";

const ATTESTATION_KEY = testKey(1);
const ATTESTATION_SIGNER = privateKeyToAddress(ATTESTATION_KEY);
const NOW_MS = 1_800_000_000_000;
const clock = () => NOW_MS;

describe("node/tee emulated enclave", () => {
  const enclave = new EmulatedEnclave(
    { attestationKey: ATTESTATION_KEY },
    { privateKey: testKey(2), now: clock },
  );
  const other = new EmulatedEnclave(
    { attestationKey: ATTESTATION_KEY },
    { privateKey: testKey(3), now: clock },
  );

  it("is named emulated and derives its address from its key", () => {
    assert.equal(enclave.kind, "emulated", "kind");
    assert.equal(enclave.address, privateKeyToAddress(testKey(2)), "address of the injected key");
    assert.equal(enclave.publicKey.length, 65, "uncompressed public key");
    assert.notEqual(
      new EmulatedEnclave({ attestationKey: ATTESTATION_KEY }).address,
      enclave.address,
      "fresh key",
    );
  });

  it("logs that it is emulated, with its address and no key", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const e = new EmulatedEnclave(
      { attestationKey: ATTESTATION_KEY, logger: pino({}, sink) },
      { privateKey: testKey(4) },
    );
    assert.equal(lines.length, 1, "one start line");
    const line = JSON.parse(lines[0]!);
    assert.equal(line.kind, "emulated", "kind in the log");
    assert.equal(line.enclave, e.address, "address in the log");
    assert.ok(/emulated/.test(line.msg), "message says emulated");
    assert.ok(!lines[0]!.includes(Buffer.from(testKey(4)).toString("hex")), "private key never logged");
  });

  it("signatures recover to the enclave address with protocol/signature.ts", async () => {
    for (const label of ["a", "batch header", "heartbeat"]) {
      const digest = keccakString(label);
      const sig = await enclave.sign(digest);
      assert.equal(sig.length, 65, `${label}: 65-byte r||s||v`);
      assert.ok(sig[64] === 27 || sig[64] === 28, `${label}: v in {27, 28}`);
      assert.equal(recoverAddress(digest, sig), enclave.address, `${label}: recovers to the enclave`);
      assert.notEqual(
        recoverAddress(digest, await other.sign(digest)),
        enclave.address,
        `${label}: other enclave`,
      );
    }
  });

  it("decrypts ECIES addressed to it and nothing else", async () => {
    const msg = new TextEncoder().encode("to the enclave");
    assert.deepEqual(await enclave.decrypt(eciesEncrypt(enclave.publicKey, msg)), msg, "own ciphertext");
    await expectTeeRejection(
      () => other.decrypt(eciesEncrypt(enclave.publicKey, msg)),
      "ENCLAVE_DECRYPT_FAILED",
      "another enclave's ciphertext",
    );
  });

  it("honours an aborted signal", async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(() => enclave.attest(new Uint8Array(0), { signal: ac.signal }), {
      name: "AbortError",
    });
  });

  it("attest -> verify round trip carries key, image, time and user data", async () => {
    const userData = new TextEncoder().encode("nonce 42");
    const att = await enclave.attest(userData);
    assert.equal(att.kind, "emulated", "kind");
    const v = verifyEmulatedAttestation(att, {
      trustedSigner: ATTESTATION_SIGNER,
      atMs: NOW_MS,
      policy: PRODUCTION_POLICY,
    });
    assert.deepEqual(v.publicKey, enclave.publicKey, "public key");
    assert.equal(v.imageId, EMULATED_IMAGE_ID, "image id");
    assert.equal(v.imageId, imageIdOf(EMULATED_PCRS), "image id is keccak256(PCR0||PCR1||PCR2)");
    assert.equal(v.timestampMs, NOW_MS, "timestamp from the injected clock");
    assert.deepEqual(v.userData, userData, "user data");
    assert.equal(v.debug, false, "emulated image is not a debug image");
  });

  describe("tampered or untrusted attestations are rejected", () => {
    interface Made {
      good: EmulatedAttestation;
      otherAtt: EmulatedAttestation;
      debugAtt: EmulatedAttestation;
    }
    let made: Made;
    before(async () => {
      const debugEnclave = new EmulatedEnclave(
        { attestationKey: ATTESTATION_KEY },
        { now: clock, pcrs: [new Uint8Array(48), new Uint8Array(48), new Uint8Array(48)] as Pcrs012 },
      );
      made = {
        good: await enclave.attest(fromHex("0x0102")),
        otherAtt: await other.attest(fromHex("0x0102")),
        debugAtt: await debugEnclave.attest(new Uint8Array(0)),
      };
    });
    const flipSig = (s: string) =>
      `${s.slice(0, 10)}${s[10] === "0" ? "1" : "0"}${s.slice(11)}` as `0x${string}`;
    type Case = {
      name: string;
      att: (m: Made) => EmulatedAttestation;
      trusted?: string;
      atMs?: number;
      code: TeeErrorCode;
    };
    const cases: Case[] = [
      {
        name: "user data changed",
        att: ({ good }) => ({ ...good, userData: "0x0103" }),
        code: "EMULATED_UNTRUSTED_SIGNER",
      },
      {
        name: "enclave key swapped",
        att: ({ good, otherAtt }) => ({ ...good, publicKey: otherAtt.publicKey }),
        code: "EMULATED_UNTRUSTED_SIGNER",
      },
      {
        name: "timestamp changed",
        att: ({ good }) => ({ ...good, timestampMs: NOW_MS - 1 }),
        code: "EMULATED_UNTRUSTED_SIGNER",
      },
      {
        name: "PCR1 changed",
        att: ({ good }) => ({ ...good, pcrs: [good.pcrs[0], good.pcrs[2], good.pcrs[2]] }),
        code: "EMULATED_UNTRUSTED_SIGNER",
      },
      {
        name: "signature bit flipped",
        att: ({ good }) => ({ ...good, signature: flipSig(good.signature) }),
        code: "EMULATED_UNTRUSTED_SIGNER",
      },
      {
        name: "wrong verifier key trusted",
        att: ({ good }) => good,
        trusted: privateKeyToAddress(testKey(9)),
        code: "EMULATED_UNTRUSTED_SIGNER",
      },
      {
        name: "signature truncated",
        att: ({ good }) => ({ ...good, signature: good.signature.slice(0, 20) as `0x${string}` }),
        code: "EMULATED_MALFORMED",
      },
      {
        name: "PCR of the wrong length",
        att: ({ good }) => ({ ...good, pcrs: ["0x00", good.pcrs[1], good.pcrs[2]] }),
        code: "EMULATED_MALFORMED",
      },
      {
        name: "debug image under the production policy",
        att: ({ debugAtt }) => debugAtt,
        code: "EMULATED_DEBUG_MODE",
      },
      {
        name: "11 minutes old under the production policy",
        att: ({ good }) => good,
        atMs: NOW_MS + 11 * 60_000,
        code: "EMULATED_STALE",
      },
      {
        name: "2 minutes in the future",
        att: ({ good }) => good,
        atMs: NOW_MS - 2 * 60_000,
        code: "EMULATED_FUTURE_TIMESTAMP",
      },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.code}`, () => {
        expectTeeError(
          () =>
            verifyEmulatedAttestation(c.att(made), {
              trustedSigner: (c.trusted ?? ATTESTATION_SIGNER) as `0x${string}`,
              atMs: c.atMs ?? NOW_MS,
              policy: PRODUCTION_POLICY,
            }),
          c.code,
          c.name,
        );
      });
    }

    it("the untampered attestation verifies, and a debug image passes only the debug policy", () => {
      const { good, debugAtt } = made;
      const opts = { trustedSigner: ATTESTATION_SIGNER, atMs: NOW_MS };
      assert.equal(
        verifyEmulatedAttestation(good, { ...opts, policy: PRODUCTION_POLICY }).publicKey.length,
        65,
        "good",
      );
      assert.equal(
        verifyEmulatedAttestation(debugAtt, { ...opts, policy: DEBUG_POLICY }).debug,
        true,
        "debug policy",
      );
      assert.equal(toHex(fromHex(good.publicKey)), toHex(enclave.publicKey), "attested key is the enclave's");
    });
  });
});

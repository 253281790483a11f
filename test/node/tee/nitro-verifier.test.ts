import assert from "node:assert/strict";
import { createHash, type X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import {
  type AttestationPolicy,
  DEBUG_POLICY,
  PRODUCTION_POLICY,
} from "../../../node/tee/attestation-policy.js";
import { AWS_NITRO_ROOT_G1_PATH, loadAwsNitroRoot } from "../../../node/tee/aws-nitro-root.js";
import { TeeError, type TeeErrorCode } from "../../../node/tee/errors.js";
import { verifyNitroDocument } from "../../../node/tee/nitro-verifier.js";
import { toHex } from "../../../protocol/bytes.js";
import { keccak } from "../../../protocol/eip712.js";
import {
  indexOf,
  listDocuments,
  MANIFEST,
  type ManifestEntry,
  mockRoot,
  NITRO_FIXTURES,
  readDocument,
} from "./nitro-fixtures.js";
import { expectTeeError } from "./tee-errors.js";

const root = loadAwsNitroRoot();

function hexOrNull(b: Uint8Array | null): string | null {
  return b === null ? null : Buffer.from(b).toString("hex");
}

const valid = MANIFEST.filter((e) => e.file.startsWith("valid/"));
const negative = MANIFEST.filter((e) => e.file.startsWith("negative/"));

describe("Nitro attestation verifier", () => {
  it("the committed root is the AWS Nitro root G1 of the fixtures", () => {
    const pinned = readFileSync(path.join(NITRO_FIXTURES, "root/aws_nitro_enclaves_root_g1.pem"), "utf8");
    assert.equal(readFileSync(AWS_NITRO_ROOT_G1_PATH, "utf8").trim(), pinned.trim(), "PEM copies differ");
    assert.equal(
      createHash("sha256").update(root.raw).digest("hex"),
      "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b",
      "root fingerprint",
    );
  });

  it("the manifest covers every document in the fixtures", () => {
    assert.deepEqual(
      MANIFEST.map((e) => e.file).sort(),
      listDocuments().sort(),
      "a fixture file is missing from the manifest or the manifest names a missing file",
    );
    assert.ok(valid.length >= 13 && negative.length >= 3, "expected 13 valid and 3 negative documents");
  });

  describe("valid documents at their own timestamp: exactly the manifest's fields", () => {
    for (const e of valid) {
      it(e.file, () => {
        const bytes = readDocument(e.file);
        assert.equal(createHash("sha256").update(bytes).digest("hex"), e.doc_sha256, "document bytes");
        const v = verifyNitroDocument(bytes, { root, atMs: e.timestamp_ms!, policy: DEBUG_POLICY });
        const pcrHex = (i: number) => Buffer.from(v.pcrs.get(i)!).toString("hex");
        assert.equal(v.moduleId, e.module_id, "module_id");
        assert.equal(v.digest, e.digest, "digest");
        assert.equal(v.timestampMs, e.timestamp_ms, "timestamp");
        assert.equal(v.pcrs.size, e.pcr_count, "pcr count");
        assert.equal(pcrHex(0), e.pcr0, "pcr0");
        assert.equal(pcrHex(1), e.pcr1, "pcr1");
        assert.equal(pcrHex(2), e.pcr2, "pcr2");
        const nonzero = Object.fromEntries(
          [...v.pcrs]
            .filter(([i, p]) => i > 2 && p.some((b) => b !== 0))
            .map(([i]) => [String(i), pcrHex(i)]),
        );
        assert.deepEqual(nonzero, e.other_nonzero_pcrs, "other non-zero pcrs");
        assert.equal(v.debug, e.debug_mode, "debug mode");
        assert.equal(hexOrNull(v.publicKey), e.public_key, "public_key");
        assert.equal(hexOrNull(v.userData), e.user_data, "user_data");
        assert.equal(hexOrNull(v.nonce), e.nonce, "nonce");
        assert.equal(v.cabundle.length, e.cabundle_len, "cabundle length");
        assert.equal(v.tagged, e.cose_tag === "tagged", "COSE tag");
        assert.equal(v.imageId, toHex(keccak(Buffer.from(e.pcr0! + e.pcr1! + e.pcr2!, "hex"))), "image id");
      });
    }
  });

  describe("the production policy", () => {
    for (const e of valid) {
      const label = `${e.file} (${e.debug_mode ? "debug: rejected" : "production: accepted"})`;
      it(label, () => {
        const verify = () =>
          verifyNitroDocument(readDocument(e.file), {
            root,
            atMs: e.timestamp_ms!,
            policy: PRODUCTION_POLICY,
          });
        if (e.debug_mode) expectTeeError(verify, "NITRO_DEBUG_MODE", e.file);
        else assert.equal(verify().debug, false, e.file);
      });
    }
  });

  describe("negative documents", () => {
    const expected: Record<string, TeeErrorCode> = {
      "negative/blocky-selfsigned-attestation.b64": "NITRO_MALFORMED",
      "negative/marlin-mock-custom-pcr16.cbor": "NITRO_UNTRUSTED_ROOT",
      "negative/marlin-mock-custom.cbor": "NITRO_UNTRUSTED_ROOT",
    };
    for (const e of negative) {
      it(`${e.file} is rejected with ${expected[e.file]}`, () => {
        assert.ok(expected[e.file], `no expectation for ${e.file}`);
        const atMs = e.timestamp_ms ?? Date.parse("2024-09-07T14:38:06Z");
        for (const policy of [DEBUG_POLICY, PRODUCTION_POLICY]) {
          expectTeeError(
            () => verifyNitroDocument(readDocument(e.file), { root, atMs, policy }),
            expected[e.file]!,
            e.file,
          );
        }
      });
    }

    it("a mock-root document passes the chain only when its root is the one pinned", () => {
      // The anchor is the caller's parameter, never cabundle[0]: pinning the mock root is what it takes.
      const e = negative.find((n) => n.file === "negative/marlin-mock-custom.cbor")!;
      const v = verifyNitroDocument(readDocument(e.file), {
        root: mockRoot(),
        atMs: e.timestamp_ms!,
        policy: DEBUG_POLICY,
      });
      assert.equal(v.moduleId, e.module_id, "module id under the mock root");
    });
  });

  describe("damaged documents, wrong roots and times: distinct coded errors", () => {
    const base: ManifestEntry = valid.find((e) => e.file === "valid/marlin-sdk-aws.cbor")!;
    const debugBase: ManifestEntry = valid.find(
      (e) => e.file === "valid/anjuna-attester-sample-attestation-doc-full-debug.cbor",
    )!;
    const doc = readDocument(base.file);
    const ts = base.timestamp_ms!;
    const [windowFrom, windowTo] = base.chain_valid_window_utc!.map((t) => Date.parse(t)) as [number, number];
    const parsed = verifyNitroDocument(doc, { root, atMs: ts, policy: DEBUG_POLICY });

    function flip(bytes: Uint8Array, at: number): Uint8Array {
      assert.ok(at >= 0 && at < bytes.length, `flip offset ${at} is inside the document`);
      const out = Uint8Array.from(bytes);
      out[at]! ^= 0x01;
      return out;
    }
    /** Offset of the last byte of a DER blob inside the document (its signature's last byte). */
    const endOf = (der: Uint8Array) => indexOf(doc, der) + der.length - 1;

    interface Case {
      name: string;
      document?: Uint8Array;
      root?: X509Certificate;
      atMs?: number;
      policy?: AttestationPolicy;
      code: TeeErrorCode;
    }
    const cases: Case[] = [
      { name: "signature bit flipped", document: flip(doc, doc.length - 1), code: "NITRO_BAD_SIGNATURE" },
      {
        name: "payload bit flipped (in PCR0)",
        document: flip(doc, indexOf(doc, parsed.pcrs.get(0)!) + 7),
        code: "NITRO_BAD_SIGNATURE",
      },
      // 84 44 a1 01 38 22: byte 5 is the ES384 alg (-35); flipped it names ES512-ish -36.
      { name: "protected header bit flipped (alg)", document: flip(doc, 5), code: "NITRO_BAD_ALG" },
      {
        name: "leaf certificate bit flipped",
        document: flip(doc, endOf(parsed.certificate)),
        code: "NITRO_CHAIN_INVALID",
      },
      {
        name: "intermediate certificate bit flipped",
        document: flip(doc, endOf(parsed.cabundle[2]!)),
        code: "NITRO_CHAIN_INVALID",
      },
      {
        name: "root in cabundle bit flipped",
        document: flip(doc, endOf(parsed.cabundle[0]!)),
        code: "NITRO_UNTRUSTED_ROOT",
      },
      { name: "COSE array header bit flipped", document: flip(doc, 0), code: "NITRO_MALFORMED" },
      { name: "truncated document", document: doc.subarray(0, doc.length - 10), code: "NITRO_MALFORMED" },
      { name: "wrong pinned root", root: mockRoot(), code: "NITRO_UNTRUSTED_ROOT" },
      {
        name: "verified 1 s before the certificate window",
        atMs: windowFrom - 1000,
        code: "NITRO_CERT_NOT_YET_VALID",
      },
      {
        name: "verified 1 s after the certificate window",
        atMs: windowTo + 1000,
        code: "NITRO_CERT_EXPIRED",
      },
      {
        name: "debug document under the production policy",
        document: readDocument(debugBase.file),
        atMs: debugBase.timestamp_ms!,
        policy: PRODUCTION_POLICY,
        code: "NITRO_DEBUG_MODE",
      },
      {
        name: "PCR0 other than the policy expects",
        policy: { ...PRODUCTION_POLICY, expectedPcrs: { 0: new Uint8Array(48).fill(7) } },
        code: "NITRO_PCR_MISMATCH",
      },
      {
        name: "11 minutes old under the production policy",
        atMs: ts + 11 * 60_000,
        policy: PRODUCTION_POLICY,
        code: "NITRO_STALE",
      },
      {
        name: "timestamp 2 minutes ahead of the verification time",
        atMs: ts - 2 * 60_000,
        policy: PRODUCTION_POLICY,
        code: "NITRO_FUTURE_TIMESTAMP",
      },
    ];

    for (const c of cases) {
      it(`${c.name}: ${c.code}`, () => {
        expectTeeError(
          () =>
            verifyNitroDocument(c.document ?? doc, {
              root: c.root ?? root,
              atMs: c.atMs ?? ts,
              policy: c.policy ?? DEBUG_POLICY,
            }),
          c.code,
          c.name,
        );
      });
    }

    it("any single bit flipped anywhere in the document is rejected with a TeeError (random sample)", () => {
      // Every byte was checked once offline (4535 flips, all rejected); a sample keeps the suite fast.
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: doc.length - 1 }),
          fc.integer({ min: 0, max: 7 }),
          (at, bit) => {
            const bad = Uint8Array.from(doc);
            bad[at]! ^= 1 << bit;
            assert.throws(
              () => verifyNitroDocument(bad, { root, atMs: ts, policy: DEBUG_POLICY }),
              (err: unknown) => err instanceof TeeError,
              `bit ${bit} of byte ${at} flipped: must be rejected with a TeeError`,
            );
          },
        ),
        { numRuns: 150, seed: 7 },
      );
    });

    it("the damages above map to distinct codes", () => {
      assert.equal(new Set(cases.map((c) => c.code)).size, 11, "one code per kind of failure");
    });

    it("the undamaged base document verifies, tagged (18) or untagged, with matching PCRs expected", () => {
      const policy = {
        ...PRODUCTION_POLICY,
        expectedPcrs: { 0: parsed.pcrs.get(0)!, 2: parsed.pcrs.get(2)! },
      };
      assert.equal(verifyNitroDocument(doc, { root, atMs: ts, policy }).tagged, false, "untagged");
      const tagged = new Uint8Array(doc.length + 1);
      tagged[0] = 0xd2; // CBOR tag 18 (COSE_Sign1)
      tagged.set(doc, 1);
      assert.equal(verifyNitroDocument(tagged, { root, atMs: ts, policy }).tagged, true, "tagged 18");
      assert.equal(
        verifyNitroDocument(doc, { root, atMs: windowTo, policy: DEBUG_POLICY }).moduleId,
        base.module_id,
        "at window end",
      );
    });
  });
});

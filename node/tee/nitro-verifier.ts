/**
 * Verifies an AWS Nitro attestation document offline. A pure function of its inputs: the document
 * bytes, the pinned root, the verification time and the policy; no clock, file or network. Checks,
 * in order: COSE_Sign1 shape and ES384; payload fields; certificate chain to the pinned root, each
 * certificate valid at the verification time; the document signature by the leaf key; policy
 * (debug images, expected PCRs, freshness). The chain is checked before the document signature so
 * that a damaged certificate reports NITRO_CHAIN_INVALID rather than a bad document signature.
 */
import { verify, type X509Certificate } from "node:crypto";
import type { Hex32 } from "../../protocol/bytes.js";
import { type AttestationPolicy, checkPolicy } from "./attestation-policy.js";
import { verifyCertChain } from "./cert-chain.js";
import { parseCoseSign1, sigStructure } from "./cose-sign1.js";
import { TeeError } from "./errors.js";
import { imageIdOf, isDebugImage } from "./image-id.js";
import { type NitroDocument, parseNitroDocument } from "./nitro-document.js";

/** A document that passed every check. */
export interface VerifiedNitroDocument extends NitroDocument {
  /** keccak256(PCR0 || PCR1 || PCR2). */
  imageId: Hex32;
  /** PCR0-2 all zero: only a debug policy accepts it. */
  debug: boolean;
  /** Whether the COSE_Sign1 carried CBOR tag 18. */
  tagged: boolean;
}

/** What the verifier needs besides the document. */
export interface NitroVerifyOptions {
  /** The pinned AWS Nitro Enclaves root (see aws-nitro-root.ts), never taken from the document. */
  root: X509Certificate;
  /** Verification time, ms since the epoch: certificates must be valid then, freshness counts from it. */
  atMs: number;
  policy: AttestationPolicy;
}

/** Verifies a Nitro attestation document; throws a TeeError with a NITRO_* code on the first failure. */
export function verifyNitroDocument(
  document: Uint8Array,
  options: NitroVerifyOptions,
): VerifiedNitroDocument {
  const cose = parseCoseSign1(document);
  const doc = parseNitroDocument(cose.payload);
  const leaf = verifyCertChain(doc.certificate, doc.cabundle, options.root, options.atMs);
  const curve = leaf.publicKey.asymmetricKeyDetails?.namedCurve;
  if (curve !== "secp384r1") {
    throw new TeeError("NITRO_BAD_ALG", `leaf key is ${String(curve)}, ES384 needs secp384r1`);
  }
  const ok = verify(
    "sha384",
    sigStructure(cose),
    { key: leaf.publicKey, dsaEncoding: "ieee-p1363" },
    cose.signature,
  );
  if (!ok) throw new TeeError("NITRO_BAD_SIGNATURE", "document signature does not verify under the leaf key");
  checkPolicy("NITRO", doc.pcr012, doc.timestampMs, options.atMs, options.policy);
  return { ...doc, imageId: imageIdOf(doc.pcr012), debug: isDebugImage(doc.pcr012), tagged: cose.tagged };
}

/**
 * The certificate chain of a Nitro document: pinned root -> cabundle[1..] -> leaf. The anchor is
 * the root the caller pins, compared byte for byte with cabundle[0]; cabundle[0] itself is never
 * trusted (anyone can put a self-signed root there). Every certificate must be valid at the
 * caller's verification time: Nitro leaf certificates live about three hours.
 */
import { X509Certificate } from "node:crypto";
import { bytesEqual } from "../../protocol/bytes.js";
import { TeeError } from "./errors.js";

function parseCert(der: Uint8Array, name: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (cause) {
    throw new TeeError("NITRO_MALFORMED", `${name} is not a DER X.509 certificate`, { cause });
  }
}

/** Parses a pinned root given as PEM text or DER bytes. */
export function parseRoot(root: string | Uint8Array): X509Certificate {
  try {
    return new X509Certificate(root);
  } catch (cause) {
    throw new TeeError("NITRO_UNTRUSTED_ROOT", "the pinned root is not an X.509 certificate", { cause });
  }
}

/**
 * Checks the chain and returns the leaf certificate. Errors, in check order: NITRO_MALFORMED
 * (unparseable), NITRO_UNTRUSTED_ROOT (cabundle[0] is not the pinned root), NITRO_CHAIN_INVALID
 * (a signature, issuer name or CA flag is wrong), NITRO_CERT_NOT_YET_VALID / NITRO_CERT_EXPIRED.
 */
export function verifyCertChain(
  leafDer: Uint8Array,
  cabundle: readonly Uint8Array[],
  root: X509Certificate,
  atMs: number,
): X509Certificate {
  const leaf = parseCert(leafDer, "certificate");
  const bundle = cabundle.map((der, i) => parseCert(der, `cabundle[${i}]`));
  if (!bytesEqual(new Uint8Array(root.raw), cabundle[0]!)) {
    throw new TeeError(
      "NITRO_UNTRUSTED_ROOT",
      `cabundle[0] (${bundle[0]!.subject.replace(/\n/g, ", ")}) is not the pinned root (${root.subject.replace(/\n/g, ", ")})`,
    );
  }
  // path[0] is the pinned root itself, so no byte of the chain's anchor comes from the document.
  const path = [root, ...bundle.slice(1), leaf];
  const names = ["pinned root", ...bundle.slice(1).map((_, i) => `cabundle[${i + 1}]`), "leaf certificate"];
  for (let i = 1; i < path.length; i++) {
    const issuer = path[i - 1]!;
    const cert = path[i]!;
    if (!issuer.ca)
      throw new TeeError("NITRO_CHAIN_INVALID", `${names[i - 1]} is not a CA but issues ${names[i]}`);
    if (!cert.checkIssued(issuer)) {
      throw new TeeError("NITRO_CHAIN_INVALID", `${names[i]} does not name ${names[i - 1]} as its issuer`);
    }
    if (!cert.verify(issuer.publicKey)) {
      throw new TeeError("NITRO_CHAIN_INVALID", `${names[i]} is not signed by ${names[i - 1]}`);
    }
  }
  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!;
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    const at = new Date(atMs).toISOString();
    if (atMs < from) {
      throw new TeeError(
        "NITRO_CERT_NOT_YET_VALID",
        `${names[i]} is valid from ${new Date(from).toISOString()}, verification time is ${at}`,
      );
    }
    if (atMs > to) {
      throw new TeeError(
        "NITRO_CERT_EXPIRED",
        `${names[i]} expired at ${new Date(to).toISOString()}, verification time is ${at}`,
      );
    }
  }
  return leaf;
}

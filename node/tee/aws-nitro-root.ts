/**
 * The pinned AWS Nitro Enclaves Root G1 (https://aws-nitro-enclaves.amazonaws.com/AWS_NitroEnclaves_Root-G1.zip),
 * committed beside this file. Loading checks the SHA-256 fingerprint AWS publishes, so an edited
 * copy fails loudly instead of moving the anchor of trust.
 */
import { createHash, type X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseRoot } from "./cert-chain.js";
import { TeeError } from "./errors.js";

/** SHA-256 of the root's DER, as AWS publishes it. */
export const AWS_NITRO_ROOT_G1_SHA256 = "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b";

/** Path of the committed PEM. */
export const AWS_NITRO_ROOT_G1_PATH = new URL("./aws-nitro-enclaves-root-g1.pem", import.meta.url);

/** The pinned root, read once from the committed PEM and checked against its fingerprint. */
export function loadAwsNitroRoot(): X509Certificate {
  const root = parseRoot(readFileSync(AWS_NITRO_ROOT_G1_PATH, "utf8"));
  const fingerprint = createHash("sha256").update(root.raw).digest("hex");
  if (fingerprint !== AWS_NITRO_ROOT_G1_SHA256) {
    throw new TeeError(
      "NITRO_UNTRUSTED_ROOT",
      `committed AWS root has SHA-256 ${fingerprint}, expected ${AWS_NITRO_ROOT_G1_SHA256}: restore it from AWS`,
    );
  }
  return root;
}

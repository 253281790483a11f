/**
 * What a verifier accepts beyond a valid signature: debug images, expected measurements and
 * freshness. The same rules apply to hardware and emulated attestations; only the error prefix
 * differs, so a caller can tell which provider failed.
 */
import { bytesEqual, toHex } from "../../protocol/bytes.js";
import { TeeError } from "./errors.js";
import { isDebugImage, type Pcrs012 } from "./image-id.js";

/** What to accept. */
export interface AttestationPolicy {
  /** Accept debug images (PCR0-2 all zero)? Their memory is readable by the host: never in production. */
  allowDebug: boolean;
  /** PCR values that must match exactly, by index (0, 1, 2); absent: any image. */
  expectedPcrs?: Partial<Record<0 | 1 | 2, Uint8Array>>;
  /** Oldest document accepted, ms before the verification time; absent: no limit. */
  maxAgeMs?: number;
  /** How far a document's timestamp may run ahead of the verification time (clock skew), ms. */
  maxFutureSkewMs?: number;
}

/** Production: no debug images; a document must be at most 10 minutes old (a registration is near-live). */
export const PRODUCTION_POLICY: AttestationPolicy = Object.freeze({
  allowDebug: false,
  maxAgeMs: 10 * 60_000,
  // Nitro stamps documents with the hypervisor's clock; a minute covers ordinary NTP drift.
  maxFutureSkewMs: 60_000,
});

/** Tests and devnets: debug images accepted, no freshness limit (fixtures are years old). */
export const DEBUG_POLICY: AttestationPolicy = Object.freeze({ allowDebug: true });

/** Throws the first policy rule the attestation breaks, with `prefix` naming the provider. */
export function checkPolicy(
  prefix: "NITRO" | "EMULATED",
  pcrs: Pcrs012,
  timestampMs: number,
  atMs: number,
  policy: AttestationPolicy,
): void {
  if (!policy.allowDebug && isDebugImage(pcrs)) {
    throw new TeeError(
      `${prefix}_DEBUG_MODE`,
      "PCR0-2 are all zero: the enclave runs in debug mode, which the production policy rejects",
    );
  }
  for (const index of [0, 1, 2] as const) {
    const want = policy.expectedPcrs?.[index];
    if (want !== undefined && !bytesEqual(want, pcrs[index])) {
      throw new TeeError(
        `${prefix}_PCR_MISMATCH`,
        `PCR${index} is ${toHex(pcrs[index])}, the policy expects ${toHex(want)}`,
      );
    }
  }
  if (policy.maxFutureSkewMs !== undefined && timestampMs > atMs + policy.maxFutureSkewMs) {
    throw new TeeError(
      `${prefix}_FUTURE_TIMESTAMP`,
      `document timestamp ${timestampMs} ms is ${timestampMs - atMs} ms after the verification time ${atMs}`,
    );
  }
  if (policy.maxAgeMs !== undefined && atMs - timestampMs > policy.maxAgeMs) {
    throw new TeeError(
      `${prefix}_STALE`,
      `document is ${atMs - timestampMs} ms old at ${atMs}, the policy accepts at most ${policy.maxAgeMs} ms`,
    );
  }
}

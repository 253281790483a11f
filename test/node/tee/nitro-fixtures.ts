/** The shared AWS Nitro fixtures (../shared/fixtures/nitro beside the clone) and their manifest. */
import { X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const NITRO_FIXTURES = path.join(import.meta.dirname, "../../../../shared/fixtures/nitro");

/** One manifest entry; negative files that do not parse carry only `error`. */
export interface ManifestEntry {
  file: string;
  error?: string;
  doc_sha256?: string;
  cose_tag?: string;
  module_id?: string;
  digest?: string;
  timestamp_ms?: number;
  pcr_count?: number;
  pcr0?: string;
  pcr1?: string;
  pcr2?: string;
  debug_mode?: boolean;
  other_nonzero_pcrs?: Record<string, string>;
  public_key?: string | null;
  user_data?: string | null;
  nonce?: string | null;
  cabundle_len?: number;
  chain_valid_window_utc?: [string, string];
}

export const MANIFEST: ManifestEntry[] = JSON.parse(
  readFileSync(path.join(NITRO_FIXTURES, "manifest.json"), "utf8"),
);

/** The binary document of a fixture: .b64 and .hex files hold text of the same bytes. */
export function readDocument(file: string): Uint8Array {
  const raw = readFileSync(path.join(NITRO_FIXTURES, file));
  if (file.endsWith(".b64")) return new Uint8Array(Buffer.from(raw.toString("utf8").trim(), "base64"));
  if (file.endsWith(".hex")) return new Uint8Array(Buffer.from(raw.toString("utf8").trim(), "hex"));
  return new Uint8Array(raw);
}

/** Every document file under valid/ and negative/ (certificates excluded). */
export function listDocuments(): string[] {
  return ["valid", "negative"].flatMap((dir) =>
    readdirSync(path.join(NITRO_FIXTURES, dir))
      .filter((f) => !f.endsWith(".crt") && !f.endsWith(".der"))
      .map((f) => `${dir}/${f}`),
  );
}

/** The mock root Marlin's test documents chain to (its key is public: a stand-in for a wrong root). */
export function mockRoot(): X509Certificate {
  return new X509Certificate(readFileSync(path.join(NITRO_FIXTURES, "negative/marlin-mock-root.crt")));
}

/** Index of `needle` in `hay`, or -1. */
export function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle));
}

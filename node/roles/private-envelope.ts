/**
 * The sealed-witness envelope (DESIGN §5, docs/PROTOCOL.md "Inputs"). In a market that requires
 * TEE provers, a request's `secret` is this envelope, and `secretHash = keccak256(envelope)` is
 * what the requester signs. No signed struct changes: the envelope is opaque bytes to the protocol.
 *
 * Layout (version 1, all integers big-endian):
 *
 *     "KSE" 0x01 | n: u8 (1..16) | n × (to: 20-byte enclave address | len: u16 | wrappedKey) | ciphertext
 *
 * - `ciphertext` is node/tee/private-inputs.ts's AES-256-GCM output (iv || body || tag) of the
 *   plaintext witness under a fresh random key;
 * - each `wrappedKey` is that AES key, ECIES-wrapped to the attested enclave key of `to` (the lease
 *   holder at sealing time; a requester may add more matchers to survive a failover).
 *
 * Carrying the wrapped key inside the signed bytes means no extra message to the leader, and nobody
 * can swap a key wrapped to another enclave in: that would change `secretHash`. The leader later
 * re-wraps the key to the assigned prover (private-key-service.ts); that re-wrapped key travels only
 * over a request/response stream, never in the envelope, so the envelope never changes.
 */
import { randomBytes } from "node:crypto";
import { type Address, bytesEqual, concat, fromHex, toHex } from "../../protocol/bytes.js";
import type { Enclave, EnclaveCallOptions } from "../tee/enclave.js";
import {
  decryptInputs,
  encryptInputs,
  INPUT_KEY_BYTES,
  unwrapInputKey,
  wrapInputKey,
} from "../tee/private-inputs.js";
import { PrivateInputsError } from "./private-errors.js";

/** The envelope's first four bytes: "KSE" and the version. */
export const ENVELOPE_MAGIC = Uint8Array.of(0x4b, 0x53, 0x45, 0x01);
/** Most recipients an envelope may carry (bounds the parse work a peer can ask for). */
export const MAX_ENVELOPE_KEYS = 16;

/** One recipient of the input key. */
export interface EnvelopeKey {
  /** The enclave address (lowercase) the key is wrapped to. */
  to: Address;
  wrappedKey: Uint8Array;
}

/** A parsed envelope. */
export interface SealedEnvelope {
  keys: EnvelopeKey[];
  /** iv || AES-256-GCM ciphertext || tag. */
  ciphertext: Uint8Array;
}

/** An enclave to wrap the input key to: its attested address and uncompressed public key. */
export interface EnclaveRecipient {
  address: Address;
  publicKey: Uint8Array;
}

/** Whether `secret` claims to be a sealed envelope (by its magic; it may still be malformed). */
export function isSealedEnvelope(secret: Uint8Array): boolean {
  return secret.length >= ENVELOPE_MAGIC.length && bytesEqual(secret.subarray(0, 4), ENVELOPE_MAGIC);
}

/** Encode an envelope; PRIVATE_MALFORMED when it has no key or too many. */
export function encodeEnvelope(e: SealedEnvelope): Uint8Array {
  if (e.keys.length === 0 || e.keys.length > MAX_ENVELOPE_KEYS) {
    throw new PrivateInputsError(
      "PRIVATE_MALFORMED",
      `an envelope carries 1..${MAX_ENVELOPE_KEYS} wrapped keys, not ${e.keys.length}`,
    );
  }
  const parts: Uint8Array[] = [ENVELOPE_MAGIC, Uint8Array.of(e.keys.length)];
  for (const k of e.keys) {
    const len = new Uint8Array(2);
    new DataView(len.buffer).setUint16(0, k.wrappedKey.length);
    parts.push(fromHex(k.to), len, k.wrappedKey);
  }
  parts.push(e.ciphertext);
  return concat(parts);
}

/** Parse an envelope; PRIVATE_MALFORMED on any inconsistency. */
export function decodeEnvelope(bytes: Uint8Array): SealedEnvelope {
  const bad = (why: string) => new PrivateInputsError("PRIVATE_MALFORMED", `sealed envelope: ${why}`);
  if (!isSealedEnvelope(bytes)) throw bad("no KSE v1 magic");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 4;
  if (at >= bytes.length) throw bad("truncated before the key count");
  const n = bytes[at++]!;
  if (n === 0 || n > MAX_ENVELOPE_KEYS) throw bad(`${n} wrapped keys (1..${MAX_ENVELOPE_KEYS})`);
  const keys: EnvelopeKey[] = [];
  for (let i = 0; i < n; i++) {
    if (at + 22 > bytes.length) throw bad(`truncated in key ${i}`);
    const to = toHex(bytes.subarray(at, at + 20)) as Address;
    const len = view.getUint16(at + 20);
    at += 22;
    if (at + len > bytes.length) throw bad(`key ${i} runs past the end`);
    keys.push({ to, wrappedKey: bytes.slice(at, at + len) });
    at += len;
  }
  return { keys, ciphertext: bytes.slice(at) };
}

/** The requester's side: encrypt `witness` under a fresh key wrapped to each recipient enclave. */
export function sealWitness(witness: Uint8Array, recipients: readonly EnclaveRecipient[]): Uint8Array {
  const key = new Uint8Array(randomBytes(INPUT_KEY_BYTES));
  try {
    const ciphertext = encryptInputs(key, witness);
    const keys = recipients.map((r) => ({
      to: r.address.toLowerCase() as Address,
      wrappedKey: wrapInputKey(key, r.publicKey, r.address),
    }));
    return encodeEnvelope({ keys, ciphertext });
  } finally {
    key.fill(0);
  }
}

/** The prover's side: unwrap `wrappedKey` in `enclave` and decrypt the envelope's ciphertext. */
export async function openEnvelope(
  enclave: Enclave,
  envelope: SealedEnvelope,
  wrappedKey: Uint8Array,
  options: EnclaveCallOptions = {},
): Promise<Uint8Array> {
  const key = await unwrapInputKey(enclave, wrappedKey, options);
  try {
    return decryptInputs(key, envelope.ciphertext);
  } finally {
    key.fill(0);
  }
}

/**
 * The rule of docs/PROTOCOL.md "Inputs": in a market that requires TEE provers a non-empty
 * secret must be a well-formed sealed envelope; in an open market it must not be one (nobody there
 * could open it). A plaintext witness that happens to start with the magic is refused in open
 * markets: a requester can always prefix its own encoding.
 */
export function checkSecretPolicy(requiresTee: boolean, secret: Uint8Array): void {
  if (secret.length === 0) return;
  const sealed = isSealedEnvelope(secret);
  if (requiresTee && !sealed) {
    throw new PrivateInputsError(
      "PRIVATE_PLAINTEXT_IN_TEE_MARKET",
      "the market requires TEE provers: its witness must be sealed to the leader's enclave, not sent in the clear",
    );
  }
  if (!requiresTee && sealed) {
    throw new PrivateInputsError(
      "PRIVATE_SEALED_IN_OPEN_MARKET",
      "the market does not require TEE provers: no enclave there can open a sealed witness",
    );
  }
  if (sealed) decodeEnvelope(secret);
}

/**
 * Signing each message under its EIP-712 domain. Requests, quotes, cancels and proof announcements
 * are signed under the marketplace's domain; batch headers and heartbeats under the matcher
 * registry's, since those are the contracts that check them.
 */
import { toHex } from "./bytes.js";
import type { Domain } from "./eip712.js";
import {
  structHashBatchHeader,
  structHashCancel,
  structHashHeartbeat,
  structHashProofAnnouncement,
  structHashQuote,
  structHashRequest,
  typedDataDigest,
} from "./eip712.js";
import type {
  BatchHeader,
  Cancel,
  Heartbeat,
  ProofAnnouncement,
  ProofRequest,
  Quote,
  Signature,
  SignedCancel,
  SignedHeartbeat,
  SignedProofAnnouncement,
  SignedQuote,
  SignedRequest,
} from "./messages.js";
import { defaultBackend, type Secp256k1Backend, signDigest } from "./signature.js";

const EMPTY = new Uint8Array(0);

function sign(digest: Uint8Array, privateKey: Uint8Array, backend: Secp256k1Backend): Signature {
  return toHex(signDigest(digest, privateKey, backend));
}

export function signRequest(
  domain: Domain,
  request: ProofRequest,
  privateKey: Uint8Array,
  carry: { inputs?: Uint8Array; secret?: Uint8Array } = {},
  backend = defaultBackend,
): SignedRequest {
  const signature = sign(typedDataDigest(domain, structHashRequest(request)), privateKey, backend);
  return { request, signature, inputs: carry.inputs ?? EMPTY, secret: carry.secret ?? EMPTY };
}

export function signQuote(
  domain: Domain,
  quote: Quote,
  privateKey: Uint8Array,
  backend = defaultBackend,
): SignedQuote {
  return { quote, signature: sign(typedDataDigest(domain, structHashQuote(quote)), privateKey, backend) };
}

export function signCancel(
  domain: Domain,
  cancel: Cancel,
  privateKey: Uint8Array,
  backend = defaultBackend,
): SignedCancel {
  return { cancel, signature: sign(typedDataDigest(domain, structHashCancel(cancel)), privateKey, backend) };
}

export function signHeartbeat(
  domain: Domain,
  heartbeat: Heartbeat,
  privateKey: Uint8Array,
  backend = defaultBackend,
): SignedHeartbeat {
  return {
    heartbeat,
    signature: sign(typedDataDigest(domain, structHashHeartbeat(heartbeat)), privateKey, backend),
  };
}

/** The leader's signature over a batch header (the body is bound through its hashes). */
export function signBatchHeader(
  domain: Domain,
  header: BatchHeader,
  privateKey: Uint8Array,
  backend = defaultBackend,
): Signature {
  return sign(typedDataDigest(domain, structHashBatchHeader(header)), privateKey, backend);
}

export function signProofAnnouncement(
  domain: Domain,
  announcement: ProofAnnouncement,
  privateKey: Uint8Array,
  proof: Uint8Array = EMPTY,
  backend = defaultBackend,
): SignedProofAnnouncement {
  const signature = sign(
    typedDataDigest(domain, structHashProofAnnouncement(announcement)),
    privateKey,
    backend,
  );
  return { announcement, signature, proof };
}

/**
 * Validation of each message, in the order DESIGN §6 gives: cheap field checks, dedupe, signature,
 * then state checks. Returns the message id and signer; throws a ProtocolError with a verdict.
 */
import type { Address, Hex32 } from "../bytes.js";
import { bytesEqual, fromHex, toHex, ZERO_HASH } from "../bytes.js";
import { assignmentsHash, eventsHash } from "../codec/messages.js";
import { MAX_ASSIGN_AHEAD_S, MAX_CLOCK_SKEW_S, MAX_QUOTE_VALIDITY_S } from "../constants.js";
import {
  keccak,
  structHashBatchHeader,
  structHashCancel,
  structHashHeartbeat,
  structHashProofAnnouncement,
  structHashQuote,
  structHashRequest,
  typedDataDigest,
} from "../eip712.js";
import { ignore, reject } from "../errors.js";
import type {
  SignedBatch,
  SignedCancel,
  SignedHeartbeat,
  SignedProofAnnouncement,
  SignedQuote,
  SignedRequest,
} from "../messages.js";
import { recoverAddress } from "../signature.js";
import type { ValidationContext } from "./context.js";
import {
  checkDuplicate,
  checkNonZeroAddress,
  checkPositiveMoney,
  checkProvingTime,
  checkSignedBy,
  lookupMarket,
} from "./rules.js";

/** What validation learned about an accepted message. */
export interface Validated {
  /** The message's EIP-712 digest: its id everywhere. */
  id: Hex32;
  /** Who signed it. */
  signer: Address;
}

function checkCarriedHash(field: string, carried: Uint8Array, hash: Hex32): void {
  if (carried.length === 0) return;
  const actual = toHex(keccak(carried));
  // [REJECT] carried bytes must hash to the signed hash
  if (actual !== hash)
    throw reject("INPUTS_HASH_MISMATCH", `${field} hashes to ${actual}, the request signs ${hash}`);
}

export function validateRequest(ctx: ValidationContext, signed: SignedRequest): Validated {
  const r = signed.request;
  checkNonZeroAddress("request.requester", r.requester);
  checkPositiveMoney("request.maxPrice", r.maxPrice);
  checkProvingTime("request.provingTime", r.provingTime);
  // [IGNORE] past assign-by: the request can no longer be matched (it is refunded on-chain)
  if (r.assignBy <= ctx.now) {
    throw ignore("ASSIGN_BY_IN_PAST", `request.assignBy ${r.assignBy} is in the past (now ${ctx.now})`);
  }
  // [REJECT] assign-by too far ahead: would hold a place in every book for longer than the protocol allows
  const latest = ctx.now + MAX_ASSIGN_AHEAD_S + MAX_CLOCK_SKEW_S;
  if (r.assignBy > latest) {
    throw reject(
      "ASSIGN_BY_TOO_FAR",
      `request.assignBy ${r.assignBy} is more than ${MAX_ASSIGN_AHEAD_S}s ahead (now ${ctx.now}, latest ${latest})`,
    );
  }
  checkCarriedHash("request.inputs", signed.inputs, r.inputsHash);
  // [REJECT] private inputs carried without a signed hash for them
  if (signed.secret.length > 0 && r.secretHash === ZERO_HASH) {
    throw reject("INPUTS_HASH_MISMATCH", "request.secret is carried but request.secretHash is zero");
  }
  checkCarriedHash("request.secret", signed.secret, r.secretHash);
  const digest = ctx.knownDigest?.(signed) ?? typedDataDigest(ctx.marketDomain, structHashRequest(r));
  const id = toHex(digest);
  checkDuplicate(ctx, "request", id);
  checkSignedBy("request.signature", digest, signed.signature, r.requester, ctx);
  const market = lookupMarket(ctx, "request.marketId", r.marketId);
  if (market) checkProvingTime("request.provingTime", r.provingTime, market);
  return { id, signer: r.requester };
}

export function validateQuote(ctx: ValidationContext, signed: SignedQuote): Validated {
  const q = signed.quote;
  checkNonZeroAddress("quote.prover", q.prover);
  checkPositiveMoney("quote.price", q.price);
  checkProvingTime("quote.provingTime", q.provingTime);
  // [REJECT] a nonce is a u64 (the codec refuses others; a quote built in-process has not met it):
  // replay checks compare nonces by their two 32-bit words
  if (q.nonce < 0n || q.nonce >= 2n ** 64n)
    throw reject("INVALID_FIELD", `quote.nonce ${q.nonce} is not a u64 (0 to 2^64 - 1)`);
  // [REJECT] a quote that can take no request is meaningless
  if (q.capacity === 0)
    throw reject("ZERO_CAPACITY", "quote.capacity is 0: a quote must take at least one request");
  // [IGNORE] expired: the prover will refresh it
  if (q.validUntil <= ctx.now) {
    throw ignore("QUOTE_EXPIRED", `quote.validUntil ${q.validUntil} is in the past (now ${ctx.now})`);
  }
  // [REJECT] valid too far ahead: quotes are standing offers that must be refreshed
  const latest = ctx.now + MAX_QUOTE_VALIDITY_S + MAX_CLOCK_SKEW_S;
  if (q.validUntil > latest) {
    throw reject(
      "QUOTE_VALID_TOO_LONG",
      `quote.validUntil ${q.validUntil} is more than ${MAX_QUOTE_VALIDITY_S}s ahead (now ${ctx.now}, latest ${latest})`,
    );
  }
  const digest = ctx.knownDigest?.(signed) ?? typedDataDigest(ctx.marketDomain, structHashQuote(q));
  const id = toHex(digest);
  checkDuplicate(ctx, "quote", id);
  checkSignedBy("quote.signature", digest, signed.signature, q.prover, ctx);
  const market = lookupMarket(ctx, "quote.marketId", q.marketId);
  if (market) checkProvingTime("quote.provingTime", q.provingTime, market);
  return { id, signer: q.prover };
}

export function validateCancel(ctx: ValidationContext, signed: SignedCancel): Validated {
  const c = signed.cancel;
  checkNonZeroAddress("cancel.requester", c.requester);
  const digest = ctx.knownDigest?.(signed) ?? typedDataDigest(ctx.marketDomain, structHashCancel(c));
  const id = toHex(digest);
  checkDuplicate(ctx, "cancel", id);
  checkSignedBy("cancel.signature", digest, signed.signature, c.requester, ctx);
  return { id, signer: c.requester };
}

export function validateHeartbeat(ctx: ValidationContext, signed: SignedHeartbeat): Validated {
  const h = signed.heartbeat;
  checkNonZeroAddress("heartbeat.matcher", h.matcher);
  // [REJECT] a heartbeat from the future beyond clock skew
  if (h.time > ctx.now + MAX_CLOCK_SKEW_S) {
    throw reject(
      "TIME_IN_FUTURE",
      `heartbeat.time ${h.time} is ahead of now ${ctx.now} by more than ${MAX_CLOCK_SKEW_S}s`,
    );
  }
  const digest = typedDataDigest(ctx.matcherDomain, structHashHeartbeat(h));
  const id = toHex(digest);
  checkDuplicate(ctx, "heartbeat", id);
  checkSignedBy("heartbeat.signature", digest, signed.signature, h.matcher, ctx);
  return { id, signer: h.matcher };
}

export function validateProofAnnouncement(
  ctx: ValidationContext,
  signed: SignedProofAnnouncement,
): Validated {
  const p = signed.announcement;
  checkNonZeroAddress("proof.prover", p.prover);
  if (signed.proof.length > 0) {
    const actual = toHex(keccak(signed.proof));
    // [REJECT] carried proof bytes must be the ones announced
    if (actual !== p.proofHash) {
      throw reject(
        "PROOF_HASH_MISMATCH",
        `proof.proof hashes to ${actual}, the announcement signs ${p.proofHash}`,
      );
    }
  }
  const digest = typedDataDigest(ctx.marketDomain, structHashProofAnnouncement(p));
  const id = toHex(digest);
  checkDuplicate(ctx, "proof", id);
  checkSignedBy("proof.signature", digest, signed.signature, p.prover, ctx);
  lookupMarket(ctx, "proof.marketId", p.marketId);
  return { id, signer: p.prover };
}

/**
 * A batch's header and body agree and the header is signed. The signer is returned, not checked:
 * whether it holds the lease for `header.term` is chain state the node knows; whether the
 * assignments follow the matching rule is the log's `verifyBatch`.
 */
export function validateBatch(ctx: ValidationContext, batch: SignedBatch): Validated {
  const h = batch.header;
  // [REJECT] a batch stamped in the future beyond clock skew
  if (h.time > ctx.now + MAX_CLOCK_SKEW_S) {
    throw reject(
      "TIME_IN_FUTURE",
      `batch.time ${h.time} is ahead of now ${ctx.now} by more than ${MAX_CLOCK_SKEW_S}s`,
    );
  }
  // [REJECT] the body must be the one the header signs
  if (!bytesEqual(eventsHash(batch.events), fromHex(h.eventsHash))) {
    throw reject("BATCH_BODY_MISMATCH", `batch ${h.term}/${h.seq} events do not hash to batch.eventsHash`);
  }
  if (!bytesEqual(assignmentsHash(batch.assignments), fromHex(h.assignmentsHash))) {
    throw reject(
      "BATCH_BODY_MISMATCH",
      `batch ${h.term}/${h.seq} assignments do not hash to batch.assignmentsHash`,
    );
  }
  const digest = typedDataDigest(ctx.matcherDomain, structHashBatchHeader(h));
  const id = toHex(digest);
  checkDuplicate(ctx, "batch", id);
  const signer = recoverAddress(digest, fromHex(batch.signature), ctx.backend);
  return { id, signer };
}

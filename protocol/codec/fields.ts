/**
 * Field layouts of each struct, written and read in EIP-712 field order. Shared by the top-level
 * messages and by the log events that embed them.
 */
import type { Address, Hex32 } from "../bytes.js";
import {
  MAX_BATCH_ASSIGNMENTS,
  MAX_INLINE_INPUTS_BYTES,
  MAX_INLINE_PROOF_BYTES,
  MAX_INLINE_SECRET_BYTES,
} from "../constants.js";
import type {
  Assignment,
  BatchHeader,
  Cancel,
  Heartbeat,
  ProofAnnouncement,
  ProofRequest,
  Quote,
  Signature,
} from "../messages.js";
import { SIGNATURE_BYTES } from "../signature.js";
import type { Reader } from "./reader.js";
import type { Writer } from "./writer.js";

export const addr = (r: Reader, f: string) => r.fixedHex(20, f) as Address;
export const b32 = (r: Reader, f: string) => r.fixedHex(32, f) as Hex32;
export const sig = (r: Reader, f: string) => r.fixedHex(SIGNATURE_BYTES, f) as Signature;

export function writeRequest(w: Writer, x: ProofRequest): void {
  w.u64(x.marketId, "request.marketId")
    .fixedHex(x.requester, 20, "request.requester")
    .fixedHex(x.inputsHash, 32, "request.inputsHash")
    .fixedHex(x.secretHash, 32, "request.secretHash")
    .u256(x.maxPrice, "request.maxPrice")
    .u64(x.assignBy, "request.assignBy")
    .u64(x.provingTime, "request.provingTime")
    .u64big(x.nonce, "request.nonce");
}

export function readRequest(r: Reader): ProofRequest {
  return {
    marketId: r.u64("request.marketId"),
    requester: addr(r, "request.requester"),
    inputsHash: b32(r, "request.inputsHash"),
    secretHash: b32(r, "request.secretHash"),
    maxPrice: r.u256("request.maxPrice"),
    assignBy: r.u64("request.assignBy"),
    provingTime: r.u64("request.provingTime"),
    nonce: r.u64big("request.nonce"),
  };
}

export function writeQuote(w: Writer, x: Quote): void {
  w.u64(x.marketId, "quote.marketId")
    .fixedHex(x.prover, 20, "quote.prover")
    .u256(x.price, "quote.price")
    .u64(x.provingTime, "quote.provingTime")
    .u32(x.capacity, "quote.capacity")
    .u64(x.validUntil, "quote.validUntil")
    .u64big(x.nonce, "quote.nonce");
}

export function readQuote(r: Reader): Quote {
  return {
    marketId: r.u64("quote.marketId"),
    prover: addr(r, "quote.prover"),
    price: r.u256("quote.price"),
    provingTime: r.u64("quote.provingTime"),
    capacity: r.u32("quote.capacity"),
    validUntil: r.u64("quote.validUntil"),
    nonce: r.u64big("quote.nonce"),
  };
}

export function writeCancel(w: Writer, x: Cancel): void {
  w.fixedHex(x.requestId, 32, "cancel.requestId").fixedHex(x.requester, 20, "cancel.requester");
}

export function readCancel(r: Reader): Cancel {
  return { requestId: b32(r, "cancel.requestId"), requester: addr(r, "cancel.requester") };
}

export function writeBatchHeader(w: Writer, x: BatchHeader): void {
  w.u64(x.term, "batch.term")
    .u64(x.seq, "batch.seq")
    .fixedHex(x.prevHash, 32, "batch.prevHash")
    .u64(x.time, "batch.time")
    .fixedHex(x.eventsHash, 32, "batch.eventsHash")
    .fixedHex(x.assignmentsHash, 32, "batch.assignmentsHash")
    .fixedHex(x.stateDigest, 32, "batch.stateDigest");
}

export function readBatchHeader(r: Reader): BatchHeader {
  return {
    term: r.u64("batch.term"),
    seq: r.u64("batch.seq"),
    prevHash: b32(r, "batch.prevHash"),
    time: r.u64("batch.time"),
    eventsHash: b32(r, "batch.eventsHash"),
    assignmentsHash: b32(r, "batch.assignmentsHash"),
    stateDigest: b32(r, "batch.stateDigest"),
  };
}

export function writeAssignment(w: Writer, x: Assignment, field = "assignment"): void {
  w.fixedHex(x.requestId, 32, `${field}.requestId`)
    .fixedHex(x.quoteId, 32, `${field}.quoteId`)
    .fixedHex(x.prover, 20, `${field}.prover`)
    .u256(x.price, `${field}.price`)
    .u64(x.provingTime, `${field}.provingTime`);
}

export function readAssignment(r: Reader, field = "assignment"): Assignment {
  return {
    requestId: b32(r, `${field}.requestId`),
    quoteId: b32(r, `${field}.quoteId`),
    prover: addr(r, `${field}.prover`),
    price: r.u256(`${field}.price`),
    provingTime: r.u64(`${field}.provingTime`),
  };
}

export function writeHeartbeat(w: Writer, x: Heartbeat): void {
  w.fixedHex(x.matcher, 20, "heartbeat.matcher")
    .u64(x.term, "heartbeat.term")
    .u64(x.seq, "heartbeat.seq")
    .u64(x.time, "heartbeat.time");
}

export function readHeartbeat(r: Reader): Heartbeat {
  return {
    matcher: addr(r, "heartbeat.matcher"),
    term: r.u64("heartbeat.term"),
    seq: r.u64("heartbeat.seq"),
    time: r.u64("heartbeat.time"),
  };
}

export function writeProofAnnouncement(w: Writer, x: ProofAnnouncement): void {
  w.u64(x.marketId, "proof.marketId")
    .fixedHex(x.requestId, 32, "proof.requestId")
    .fixedHex(x.prover, 20, "proof.prover")
    .fixedHex(x.proofHash, 32, "proof.proofHash");
}

export function readProofAnnouncement(r: Reader): ProofAnnouncement {
  return {
    marketId: r.u64("proof.marketId"),
    requestId: b32(r, "proof.requestId"),
    prover: addr(r, "proof.prover"),
    proofHash: b32(r, "proof.proofHash"),
  };
}

export const FIELD_LIMITS = {
  inputs: MAX_INLINE_INPUTS_BYTES,
  secret: MAX_INLINE_SECRET_BYTES,
  proof: MAX_INLINE_PROOF_BYTES,
  assignments: MAX_BATCH_ASSIGNMENTS,
} as const;

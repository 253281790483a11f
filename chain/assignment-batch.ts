/**
 * Assignment batches as the marketplace anchors them. The leader signs the chain-only EIP-712 struct
 * `AssignmentBatch(uint64 term,bytes32 assignmentsHash)` under the matcher REGISTRY's domain;
 * assignmentsHash = keccak256 of the concatenated struct hashes of the batch's Assignments, in order
 * (the same definition as BatchHeader.assignmentsHash). Anyone may relay the signed batch.
 * Why not sign the log's BatchHeader: a leader must be free to anchor any subset of the log, and a
 * new leader to re-anchor the old term's assignments, without signing a second header for one
 * (term, seq), which would be equivocation.
 */
import { AbiCoder } from "ethers";
import { concat, fromHex, type Hex32, toHex } from "../protocol/bytes.js";
import {
  type Domain,
  keccak,
  keccakString,
  quoteId,
  requestId,
  structHashAssignment,
  typedDataDigest,
} from "../protocol/eip712.js";
import type { Assignment, Signature, SignedQuote, SignedRequest } from "../protocol/messages.js";
import { signDigest } from "../protocol/signature.js";
import { quoteTuple, requestTuple, type SigTuple, toSig, ZERO_SIG } from "./abi-codec.js";

/** keccak256("AssignmentBatch(uint64 term,bytes32 assignmentsHash)"). */
export const ASSIGNMENT_BATCH_TYPEHASH = toHex(
  keccakString("AssignmentBatch(uint64 term,bytes32 assignmentsHash)"),
);

/** One request to anchor: signed (paid from the deposit) or paid on-chain earlier, with its quote. */
export interface BatchEntry {
  /** A signed request, or a request submitted on-chain (then `signature` is unused). */
  request: SignedRequest | { request: SignedRequest["request"]; paidOnChain: true };
  quote: SignedQuote;
}

/** What `Marketplace.assign` takes, minus the term and leader signature, plus the hashes. */
export interface UnsignedAssignmentBatch {
  quotes: { quote: ReturnType<typeof quoteTuple>; signature: SigTuple }[];
  items: {
    request: ReturnType<typeof requestTuple>;
    signature: SigTuple;
    quoteIndex: number;
    paidOnChain: boolean;
  }[];
  /** The assignments in order, as the log states them. */
  assignments: Assignment[];
  assignmentsHash: Hex32;
}

/** A batch ready for `MarketplaceClient.assign`. */
export interface SignedAssignmentBatch extends UnsignedAssignmentBatch {
  term: number;
  leaderSignature: Signature;
}

/** keccak256 over the EIP-712 struct hash of every assignment, in order. */
export function assignmentsHashOf(assignments: readonly Assignment[]): Hex32 {
  return toHex(keccak(concat(assignments.map(structHashAssignment)))) as Hex32;
}

/** The digest the leader signs for (term, assignmentsHash) under the registry's domain. */
export function assignmentBatchDigest(
  registryDomain: Domain,
  term: number,
  assignmentsHash: Hex32,
): Uint8Array {
  const encoded = AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "uint64", "bytes32"],
    [ASSIGNMENT_BATCH_TYPEHASH, term, assignmentsHash],
  );
  return typedDataDigest(registryDomain, keccak(fromHex(encoded)));
}

/** Lays out entries for the contract: each distinct quote once, requests pointing at it. */
export function buildAssignmentBatch(
  marketDomain: Domain,
  entries: readonly BatchEntry[],
): UnsignedAssignmentBatch {
  const quoteIndex = new Map<string, number>();
  const quotes: UnsignedAssignmentBatch["quotes"] = [];
  const items: UnsignedAssignmentBatch["items"] = [];
  const assignments: Assignment[] = [];
  for (const e of entries) {
    const qid = quoteId(marketDomain, e.quote.quote);
    let qi = quoteIndex.get(qid);
    if (qi === undefined) {
      qi = quotes.length;
      quoteIndex.set(qid, qi);
      quotes.push({ quote: quoteTuple(e.quote.quote), signature: toSig(e.quote.signature) });
    }
    const paidOnChain = "paidOnChain" in e.request;
    const r = e.request.request;
    items.push({
      request: requestTuple(r),
      signature: "signature" in e.request ? toSig(e.request.signature) : ZERO_SIG,
      quoteIndex: qi,
      paidOnChain,
    });
    assignments.push({
      requestId: requestId(marketDomain, r),
      quoteId: qid,
      prover: e.quote.quote.prover,
      price: e.quote.quote.price,
      provingTime: e.quote.quote.provingTime,
    });
  }
  return { quotes, items, assignments, assignmentsHash: assignmentsHashOf(assignments) };
}

/** The leader signs a laid-out batch for its term with its enclave key. */
export function signAssignmentBatch(
  registryDomain: Domain,
  term: number,
  batch: UnsignedAssignmentBatch,
  leaderKey: Uint8Array,
): SignedAssignmentBatch {
  const digest = assignmentBatchDigest(registryDomain, term, batch.assignmentsHash);
  return { ...batch, term, leaderSignature: toHex(signDigest(digest, leaderKey)) as Signature };
}

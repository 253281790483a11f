/** Protocol messages as the contracts' ABI tuples, and back. */
import { Signature as EthersSignature } from "ethers";
import type { BatchHeader, ProofRequest, Quote, Signature } from "../protocol/messages.js";

/** The Solidity `Sig` struct. */
export interface SigTuple {
  r: string;
  s: string;
  v: number;
}

/** A 65-byte r || s || v hex signature as `Sig`, without any validity check (the contract checks). */
export function toSig(signature: Signature | string): SigTuple {
  const hex = signature.startsWith("0x") ? signature.slice(2) : signature;
  if (hex.length !== 130) throw new TypeError(`signature is ${hex.length / 2} bytes, expected 65`);
  return { r: `0x${hex.slice(0, 64)}`, s: `0x${hex.slice(64, 128)}`, v: Number.parseInt(hex.slice(128), 16) };
}

/** `Sig` back to 65-byte hex. */
export function fromSig(sig: SigTuple): Signature {
  return EthersSignature.from({ r: sig.r, s: sig.s, v: sig.v }).serialized as Signature;
}

/** An all-zero `Sig`, for items whose signature is not used (requests paid on-chain). */
export const ZERO_SIG: SigTuple = { r: `0x${"00".repeat(32)}`, s: `0x${"00".repeat(32)}`, v: 0 };

/** ProofRequest as the Solidity struct (numbers widened to bigint). */
export function requestTuple(r: ProofRequest) {
  return {
    marketId: BigInt(r.marketId),
    requester: r.requester,
    inputsHash: r.inputsHash,
    secretHash: r.secretHash,
    maxPrice: r.maxPrice,
    assignBy: BigInt(r.assignBy),
    provingTime: BigInt(r.provingTime),
    nonce: r.nonce,
  };
}

/** Quote as the Solidity struct. */
export function quoteTuple(q: Quote) {
  return {
    marketId: BigInt(q.marketId),
    prover: q.prover,
    price: q.price,
    provingTime: BigInt(q.provingTime),
    capacity: BigInt(q.capacity),
    validUntil: BigInt(q.validUntil),
    nonce: q.nonce,
  };
}

/** BatchHeader as the Solidity struct. */
export function batchHeaderTuple(h: BatchHeader) {
  return {
    term: BigInt(h.term),
    seq: BigInt(h.seq),
    prevHash: h.prevHash,
    time: BigInt(h.time),
    eventsHash: h.eventsHash,
    assignmentsHash: h.assignmentsHash,
    stateDigest: h.stateDigest,
  };
}

/** Signed events and a leader for the sequenced-log tests: real keys, real signatures. */
import {
  type Address,
  assignmentsHash,
  createLogState,
  eventsHash,
  fromHex,
  type Hex32,
  type LogEvent,
  type LogState,
  type ProofRequest,
  privateKeyToAddress,
  type Quote,
  quoteId,
  requestId,
  type SequenceOptions,
  type SignedBatch,
  sealBatch,
  sequence,
  signBatchHeader,
  signCancel,
  signQuote,
  signRequest,
  structHashCancel,
  toHex,
  typedDataDigest,
} from "../../protocol/index.js";
import {
  MARKET_DOMAIN,
  MATCHER_DOMAIN,
  MATCHER_KEY,
  NOW,
  PROVER_KEY,
  REQUESTER,
  REQUESTER_KEY,
  sampleQuote,
  sampleRequest,
} from "./samples.js";

export { NOW };
export const PROVER_KEYS = [PROVER_KEY, fromHex(`0x${"44".repeat(32)}`), fromHex(`0x${"55".repeat(32)}`)];
export const PROVER_ADDRESSES: Address[] = PROVER_KEYS.map((k) => privateKeyToAddress(k));
export const OTHER_KEY = fromHex(`0x${"66".repeat(32)}`);

/** A fresh replica of the log under the test deployment. */
export function newState(): LogState {
  return createLogState({ marketDomain: MARKET_DOMAIN, matcherDomain: MATCHER_DOMAIN });
}

export function marketEvent(marketId = 1, collateralPerRequest = 10n): LogEvent {
  return {
    kind: "market",
    marketId,
    collateralPerRequest,
    minProvingTime: 10,
    maxProvingTime: 3600,
    requiresTee: false,
    block: 1,
  };
}

export function collateralEvent(prover: number, total: bigint): LogEvent {
  return { kind: "collateral", prover: PROVER_ADDRESSES[prover]!, total, block: 2 };
}

let nonce = 1000n;

/** A signed request event (signed by `key`, which must be the requester's to be valid). */
export function requestEvent(over: Partial<ProofRequest> = {}, key = REQUESTER_KEY): LogEvent {
  const request = sampleRequest({ nonce: nonce++, ...over });
  return { kind: "request", signed: signRequest(MARKET_DOMAIN, request, key) };
}

export function quoteEvent(prover: number, over: Partial<Quote> = {}): LogEvent {
  const quote = sampleQuote({ prover: PROVER_ADDRESSES[prover]!, nonce: nonce++, ...over });
  return { kind: "quote", signed: signQuote(MARKET_DOMAIN, quote, PROVER_KEYS[prover]!) };
}

export function cancelEvent(id: Hex32, key = REQUESTER_KEY, requester = REQUESTER): LogEvent {
  return { kind: "cancel", signed: signCancel(MARKET_DOMAIN, { requestId: id, requester }, key) };
}

/** The EIP-712 id of any signed event (request, quote or cancel). */
export function idOfAny(e: LogEvent): Hex32 {
  if (e.kind === "request") return requestId(MARKET_DOMAIN, e.signed.request);
  if (e.kind === "quote") return quoteId(MARKET_DOMAIN, e.signed.quote);
  if (e.kind === "cancel") return toHex(typedDataDigest(MARKET_DOMAIN, structHashCancel(e.signed.cancel)));
  throw new TypeError(`${e.kind} is not signed`);
}

/** The id of a request event. */
export function idOf(e: LogEvent): Hex32 {
  if (e.kind !== "request") throw new TypeError(`${e.kind} has no request id`);
  return requestId(MARKET_DOMAIN, e.signed.request);
}

/** What the leader publishes: sequence, sign with the matcher key, seal. */
export function lead(
  state: LogState,
  events: LogEvent[],
  time: number,
  opts: SequenceOptions = {},
): SignedBatch {
  const s = sequence(state, events, time, opts);
  return sealBatch(s, signBatchHeader(MATCHER_DOMAIN, s.header, MATCHER_KEY));
}

/** A copy of `b` with `change` applied and the body hashes recomputed, so only the log's rules can catch it. */
export function tamper(b: SignedBatch, change: (b: SignedBatch) => void): SignedBatch {
  const copy: SignedBatch = {
    header: { ...b.header },
    signature: b.signature,
    events: [...b.events],
    assignments: b.assignments.map((a) => ({ ...a })),
  };
  change(copy);
  copy.header.eventsHash = toHex(eventsHash(copy.events));
  copy.header.assignmentsHash = toHex(assignmentsHash(copy.assignments));
  return copy;
}

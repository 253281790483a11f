/** fast-check arbitraries and fixed samples of every protocol message. */
import fc from "fast-check";
import type {
  Address,
  Assignment,
  BatchHeader,
  Cancel,
  Heartbeat,
  Hex32,
  LogEvent,
  Message,
  ProofAnnouncement,
  ProofRequest,
  Quote,
  Signature,
} from "../../protocol/index.js";
import { toHex } from "../../protocol/index.js";

const hexOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => toHex(b));
export const address = hexOf(20) as fc.Arbitrary<Address>;
export const hash32 = hexOf(32) as fc.Arbitrary<Hex32>;
export const signature = hexOf(65) as fc.Arbitrary<Signature>;
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u53 = fc.maxSafeNat();
export const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
export const u256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
/** Records with ordinary prototypes, so deepEqual compares them with decoded values. */
function rec<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max });

export const proofRequest: fc.Arbitrary<ProofRequest> = rec({
  marketId: u53,
  requester: address,
  inputsHash: hash32,
  secretHash: hash32,
  maxPrice: u256,
  assignBy: u53,
  provingTime: u53,
  nonce: u64,
});

export const quote: fc.Arbitrary<Quote> = rec({
  marketId: u53,
  prover: address,
  price: u256,
  provingTime: u53,
  capacity: u32,
  validUntil: u53,
  nonce: u64,
});

export const cancel: fc.Arbitrary<Cancel> = rec({ requestId: hash32, requester: address });

export const batchHeader: fc.Arbitrary<BatchHeader> = rec({
  term: u53,
  seq: u53,
  prevHash: hash32,
  time: u53,
  eventsHash: hash32,
  assignmentsHash: hash32,
  stateDigest: hash32,
});

export const assignment: fc.Arbitrary<Assignment> = rec({
  requestId: hash32,
  quoteId: hash32,
  prover: address,
  price: u256,
  provingTime: u53,
});

export const heartbeat: fc.Arbitrary<Heartbeat> = rec({ matcher: address, term: u53, seq: u53, time: u53 });

export const proofAnnouncement: fc.Arbitrary<ProofAnnouncement> = rec({
  marketId: u53,
  requestId: hash32,
  prover: address,
  proofHash: hash32,
});

const EMPTY = new Uint8Array(0);

export const logEvent: fc.Arbitrary<LogEvent> = fc.oneof(
  rec({ request: proofRequest, signature }).map(
    (s): LogEvent => ({ kind: "request", signed: { ...s, inputs: EMPTY, secret: EMPTY } }),
  ),
  rec({ quote, signature }).map((signed): LogEvent => ({ kind: "quote", signed })),
  rec({ cancel, signature }).map((signed): LogEvent => ({ kind: "cancel", signed })),
  rec({
    marketId: u53,
    collateralPerRequest: u256,
    minProvingTime: u53,
    maxProvingTime: u53,
    requiresTee: fc.boolean(),
    block: u53,
  }).map((m): LogEvent => ({ kind: "market", ...m })),
  rec({ prover: address, total: u256, block: u53 }).map((c): LogEvent => ({ kind: "collateral", ...c })),
  rec({ kind: fc.constantFrom("anchored", "proven", "slashed" as const), requestId: hash32, block: u53 }).map(
    (e) => e as LogEvent,
  ),
);

/** Any message, with inline byte fields within their protocol bounds. */
export const message: fc.Arbitrary<Message> = fc.oneof(
  rec({ request: proofRequest, signature, inputs: bytes(64), secret: bytes(64) }).map(
    (body): Message => ({ type: "request", body }),
  ),
  rec({ quote, signature }).map((body): Message => ({ type: "quote", body })),
  rec({ cancel, signature }).map((body): Message => ({ type: "cancel", body })),
  rec({ heartbeat, signature }).map((body): Message => ({ type: "heartbeat", body })),
  rec({ announcement: proofAnnouncement, signature, proof: bytes(64) }).map(
    (body): Message => ({ type: "proof", body }),
  ),
  rec({
    header: batchHeader,
    signature,
    events: fc.array(logEvent, { maxLength: 5 }),
    assignments: fc.array(assignment, { maxLength: 5 }),
  }).map((body): Message => ({ type: "batch", body })),
);

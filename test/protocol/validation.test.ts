import assert from "node:assert/strict";
import {
  type Address,
  assignmentsHash,
  type BatchHeader,
  encodeMessage,
  eventsHash,
  fromHex,
  type Hex32,
  keccak,
  type Message,
  makeDomain,
  type ProofRequest,
  ProtocolError,
  type Quote,
  requestId,
  signBatchHeader,
  signCancel,
  signHeartbeat,
  signProofAnnouncement,
  signQuote,
  signRequest,
  toHex,
  type ValidationContext,
  validateBatch,
  validateCancel,
  validateHeartbeat,
  validateMessage,
  validateProofAnnouncement,
  validateQuote,
  validateRequest,
  ZERO_ADDRESS,
  ZERO_HASH,
} from "../../protocol/index.js";
import {
  context,
  INPUTS,
  MARKET_DOMAIN,
  MARKETPLACE,
  MATCHER,
  MATCHER_DOMAIN,
  MATCHER_KEY,
  NOW,
  PROVER,
  PROVER_KEY,
  REGISTRY,
  REQUESTER,
  REQUESTER_KEY,
  sampleQuote,
  sampleRequest,
} from "./samples.js";

interface Expected {
  code: string;
  verdict: "REJECT" | "IGNORE";
  /** Fragments the message must contain: the field and the values. */
  says?: string[];
}

function expectError(fn: () => unknown, e: Expected, label: string): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `${label}: threw ${String(err)}`);
    assert.equal(err.code, e.code, `${label}: ${err.message}`);
    assert.equal(err.verdict, e.verdict, `${label}: verdict`);
    for (const s of e.says ?? [])
      assert.ok(err.message.includes(s), `${label}: "${err.message}" lacks "${s}"`);
    return;
  }
  assert.fail(`${label}: expected ${e.code}, but it validated`);
}

const OTHER_KEY = fromHex(`0x${"44".repeat(32)}`);
const secret = new TextEncoder().encode("ciphertext");
const secretHash = toHex(keccak(secret)) as Hex32;

describe("protocol/validation", () => {
  describe("requests", () => {
    it("a valid request returns its EIP-712 id and signer", () => {
      const r = sampleRequest();
      const v = validateRequest(context(), signRequest(MARKET_DOMAIN, r, REQUESTER_KEY, { inputs: INPUTS }));
      assert.equal(v.id, requestId(MARKET_DOMAIN, r));
      assert.equal(v.signer, REQUESTER);
    });

    it("a witness in an open market travels in the clear and is accepted", () => {
      const r = sampleRequest({ marketId: 1, secretHash });
      const v = validateRequest(context(), signRequest(MARKET_DOMAIN, r, REQUESTER_KEY, { secret }));
      assert.equal(v.signer, REQUESTER);
    });

    it("private inputs are accepted in a TEE market", () => {
      const r = sampleRequest({ marketId: 2, secretHash });
      const v = validateRequest(context(), signRequest(MARKET_DOMAIN, r, REQUESTER_KEY, { secret }));
      assert.equal(v.signer, REQUESTER);
    });

    const cases: {
      name: string;
      request?: Partial<ProofRequest>;
      afterSigning?: Partial<ProofRequest>;
      key?: Uint8Array;
      carry?: { inputs?: Uint8Array; secret?: Uint8Array };
      ctx?: Partial<ValidationContext>;
      domain?: typeof MARKET_DOMAIN;
      expect: Expected;
    }[] = [
      {
        name: "zero maxPrice",
        request: { maxPrice: 0n },
        expect: { code: "ZERO_MONEY", verdict: "REJECT", says: ["request.maxPrice 0"] },
      },
      {
        // Nothing can sign a negative uint256: such a value comes from a caller, not from the wire.
        name: "negative maxPrice",
        afterSigning: { maxPrice: -5n },
        expect: { code: "ZERO_MONEY", verdict: "REJECT", says: ["-5"] },
      },
      {
        name: "zero requester",
        request: { requester: ZERO_ADDRESS },
        expect: { code: "ZERO_ADDRESS", verdict: "REJECT", says: ["request.requester"] },
      },
      {
        name: "proving time 0",
        request: { provingTime: 0 },
        expect: {
          code: "PROVING_TIME_OUT_OF_RANGE",
          verdict: "REJECT",
          says: ["request.provingTime 0s", "protocol"],
        },
      },
      {
        name: "proving time beyond a week",
        request: { provingTime: 8 * 24 * 3600 },
        expect: { code: "PROVING_TIME_OUT_OF_RANGE", verdict: "REJECT", says: ["691200s"] },
      },
      {
        name: "proving time under the market's minimum",
        request: { provingTime: 5 },
        expect: { code: "PROVING_TIME_OUT_OF_RANGE", verdict: "REJECT", says: ["market's range [10, 3600]"] },
      },
      {
        name: "assign-by in the past",
        request: { assignBy: NOW - 100 },
        expect: {
          code: "ASSIGN_BY_IN_PAST",
          verdict: "IGNORE",
          says: [`request.assignBy ${NOW - 100} is in the past (now ${NOW})`],
        },
      },
      {
        name: "assign-by now",
        request: { assignBy: NOW },
        expect: { code: "ASSIGN_BY_IN_PAST", verdict: "IGNORE" },
      },
      {
        name: "assign-by two days ahead",
        request: { assignBy: NOW + 2 * 86400 },
        expect: { code: "ASSIGN_BY_TOO_FAR", verdict: "REJECT", says: [`${NOW + 2 * 86400}`] },
      },
      {
        name: "inline inputs that do not hash to inputsHash",
        carry: { inputs: new Uint8Array([1, 2, 3]) },
        expect: { code: "INPUTS_HASH_MISMATCH", verdict: "REJECT", says: ["request.inputs"] },
      },
      {
        name: "secret carried with a zero secretHash",
        carry: { secret },
        expect: { code: "INPUTS_HASH_MISMATCH", verdict: "REJECT", says: ["secretHash is zero"] },
      },
      {
        name: "unknown market",
        request: { marketId: 99 },
        expect: { code: "UNKNOWN_MARKET", verdict: "IGNORE", says: ["99"] },
      },
      { name: "already seen", ctx: { seen: () => true }, expect: { code: "DUPLICATE", verdict: "IGNORE" } },
      {
        name: "signed by someone else",
        key: OTHER_KEY,
        expect: { code: "SIGNATURE_MISMATCH", verdict: "REJECT", says: [`named signer ${REQUESTER}`] },
      },
      {
        name: "replayed from another chain id",
        domain: makeDomain(1, MARKETPLACE),
        expect: { code: "SIGNATURE_MISMATCH", verdict: "REJECT" },
      },
      {
        name: "replayed from another contract",
        domain: makeDomain(31337, REGISTRY),
        expect: { code: "SIGNATURE_MISMATCH", verdict: "REJECT" },
      },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.expect.verdict} ${c.expect.code}`, () => {
        const signed = signRequest(
          c.domain ?? MARKET_DOMAIN,
          sampleRequest(c.request),
          c.key ?? REQUESTER_KEY,
          c.carry,
        );
        signed.request = { ...signed.request, ...c.afterSigning };
        expectError(() => validateRequest(context(c.ctx), signed), c.expect, c.name);
      });
    }

    it("changing any field after signing changes the id and breaks the signature", () => {
      const base = sampleRequest();
      const signed = signRequest(MARKET_DOMAIN, base, REQUESTER_KEY);
      const flip = (h: Hex32) => `${h.slice(0, -1)}${h.endsWith("0") ? "1" : "0"}` as Hex32;
      const changes: Partial<ProofRequest>[] = [
        { marketId: base.marketId + 1 },
        { requester: PROVER },
        { inputsHash: flip(base.inputsHash) },
        { secretHash: flip(base.secretHash) },
        { maxPrice: base.maxPrice + 1n },
        { assignBy: base.assignBy + 1 },
        { provingTime: base.provingTime + 1 },
        { nonce: base.nonce + 1n },
      ];
      assert.equal(changes.length, Object.keys(base).length, "one change per field");
      for (const change of changes) {
        const altered = { ...base, ...change };
        const field = Object.keys(change)[0];
        assert.notEqual(
          requestId(MARKET_DOMAIN, altered),
          requestId(MARKET_DOMAIN, base),
          `${field} changes the id`,
        );
        expectError(
          () => validateRequest(context({ market: undefined }), { ...signed, request: altered }),
          { code: "SIGNATURE_MISMATCH", verdict: "REJECT" },
          `altered ${field}`,
        );
      }
    });
  });

  describe("quotes", () => {
    it("a valid quote returns its signer", () => {
      assert.equal(
        validateQuote(context(), signQuote(MARKET_DOMAIN, sampleQuote(), PROVER_KEY)).signer,
        PROVER,
      );
    });
    const cases: { name: string; quote?: Partial<Quote>; key?: Uint8Array; expect: Expected }[] = [
      {
        name: "zero price",
        quote: { price: 0n },
        expect: { code: "ZERO_MONEY", verdict: "REJECT", says: ["quote.price 0"] },
      },
      {
        name: "zero prover",
        quote: { prover: ZERO_ADDRESS },
        expect: { code: "ZERO_ADDRESS", verdict: "REJECT" },
      },
      {
        name: "zero capacity",
        quote: { capacity: 0 },
        expect: { code: "ZERO_CAPACITY", verdict: "REJECT", says: ["quote.capacity"] },
      },
      {
        name: "expired",
        quote: { validUntil: NOW - 1 },
        expect: {
          code: "QUOTE_EXPIRED",
          verdict: "IGNORE",
          says: [`quote.validUntil ${NOW - 1} is in the past (now ${NOW})`],
        },
      },
      {
        name: "valid for two days",
        quote: { validUntil: NOW + 2 * 86400 },
        expect: { code: "QUOTE_VALID_TOO_LONG", verdict: "REJECT" },
      },
      {
        name: "proving time above the market's maximum",
        quote: { provingTime: 7200 },
        expect: { code: "PROVING_TIME_OUT_OF_RANGE", verdict: "REJECT", says: ["quote.provingTime 7200s"] },
      },
      {
        name: "unknown market",
        quote: { marketId: 42 },
        expect: { code: "UNKNOWN_MARKET", verdict: "IGNORE" },
      },
      {
        name: "signed by the requester's key",
        key: REQUESTER_KEY,
        expect: { code: "SIGNATURE_MISMATCH", verdict: "REJECT" },
      },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.expect.verdict} ${c.expect.code}`, () => {
        const signed = signQuote(MARKET_DOMAIN, sampleQuote(c.quote), c.key ?? PROVER_KEY);
        expectError(() => validateQuote(context(), signed), c.expect, c.name);
      });
    }
  });

  describe("cancels, heartbeats and proof announcements", () => {
    const rid = requestId(MARKET_DOMAIN, sampleRequest());
    it("a cancel signed by the requester is valid; by anyone else it is SIGNATURE_MISMATCH", () => {
      const c = { requestId: rid, requester: REQUESTER };
      assert.equal(validateCancel(context(), signCancel(MARKET_DOMAIN, c, REQUESTER_KEY)).signer, REQUESTER);
      expectError(
        () => validateCancel(context(), signCancel(MARKET_DOMAIN, c, PROVER_KEY)),
        { code: "SIGNATURE_MISMATCH", verdict: "REJECT" },
        "cancel by prover",
      );
    });
    it("a heartbeat is signed under the registry's domain, not the marketplace's", () => {
      const h = { matcher: MATCHER, term: 3, seq: 10, time: NOW };
      assert.equal(
        validateHeartbeat(context(), signHeartbeat(MATCHER_DOMAIN, h, MATCHER_KEY)).signer,
        MATCHER,
      );
      expectError(
        () => validateHeartbeat(context(), signHeartbeat(MARKET_DOMAIN, h, MATCHER_KEY)),
        { code: "SIGNATURE_MISMATCH", verdict: "REJECT" },
        "heartbeat under the wrong domain",
      );
    });
    it("a heartbeat from the future is TIME_IN_FUTURE", () => {
      const h = { matcher: MATCHER, term: 3, seq: 10, time: NOW + 3600 };
      expectError(
        () => validateHeartbeat(context(), signHeartbeat(MATCHER_DOMAIN, h, MATCHER_KEY)),
        { code: "TIME_IN_FUTURE", verdict: "REJECT", says: ["heartbeat.time"] },
        "future heartbeat",
      );
    });
    it("a proof announcement must carry the proof it signs", () => {
      const proof = new Uint8Array(256).fill(7);
      const a = { marketId: 1, requestId: rid, prover: PROVER, proofHash: toHex(keccak(proof)) as Hex32 };
      assert.equal(
        validateProofAnnouncement(context(), signProofAnnouncement(MARKET_DOMAIN, a, PROVER_KEY, proof))
          .signer,
        PROVER,
      );
      expectError(
        () =>
          validateProofAnnouncement(
            context(),
            signProofAnnouncement(MARKET_DOMAIN, a, PROVER_KEY, proof.subarray(1)),
          ),
        { code: "PROOF_HASH_MISMATCH", verdict: "REJECT" },
        "truncated proof",
      );
    });
  });

  describe("batches", () => {
    const events = [
      { kind: "request" as const, signed: signRequest(MARKET_DOMAIN, sampleRequest(), REQUESTER_KEY) },
      { kind: "quote" as const, signed: signQuote(MARKET_DOMAIN, sampleQuote(), PROVER_KEY) },
    ];
    const assignments = [
      {
        requestId: requestId(MARKET_DOMAIN, sampleRequest()),
        quoteId: requestId(MARKET_DOMAIN, sampleRequest({ nonce: 9n })),
        prover: PROVER,
        price: 5n,
        provingTime: 60,
      },
    ];
    const header: BatchHeader = {
      term: 2,
      seq: 5,
      prevHash: ZERO_HASH,
      time: NOW,
      eventsHash: toHex(eventsHash(events)) as Hex32,
      assignmentsHash: toHex(assignmentsHash(assignments)) as Hex32,
      stateDigest: ZERO_HASH,
    };
    const batch = {
      header,
      signature: signBatchHeader(MATCHER_DOMAIN, header, MATCHER_KEY),
      events,
      assignments,
    };

    it("a batch whose body matches its header recovers the leader's address", () => {
      assert.equal(validateBatch(context(), batch).signer, MATCHER);
    });
    it("a dropped event or an altered assignment is BATCH_BODY_MISMATCH", () => {
      expectError(
        () => validateBatch(context(), { ...batch, events: events.slice(1) }),
        { code: "BATCH_BODY_MISMATCH", verdict: "REJECT", says: ["events"] },
        "dropped event",
      );
      expectError(
        () => validateBatch(context(), { ...batch, assignments: [{ ...assignments[0]!, price: 6n }] }),
        { code: "BATCH_BODY_MISMATCH", verdict: "REJECT", says: ["assignments"] },
        "altered price",
      );
    });
  });

  describe("validateMessage: bytes in, verdict out", () => {
    it("accepts each valid encoded message and reports its id and signer", () => {
      const signed = signRequest(MARKET_DOMAIN, sampleRequest(), REQUESTER_KEY, { inputs: INPUTS });
      const v = validateMessage(context(), encodeMessage({ type: "request", body: signed }));
      assert.equal(v.message.type, "request");
      assert.equal(v.id, requestId(MARKET_DOMAIN, sampleRequest()));
      assert.equal(v.signer, REQUESTER);
    });
    // Every signed message type, valid as built; the signed fields sit between the 2-byte header
    // and the signature (and, for requests and proofs, the inline byte strings after it).
    const rid = requestId(MARKET_DOMAIN, sampleRequest());
    const signedMessages: { msg: Message; signedBytes: number }[] = [
      {
        msg: { type: "request", body: signRequest(MARKET_DOMAIN, sampleRequest(), REQUESTER_KEY) },
        signedBytes: 8 + 20 + 32 + 32 + 32 + 8 + 8 + 8,
      },
      {
        msg: { type: "quote", body: signQuote(MARKET_DOMAIN, sampleQuote(), PROVER_KEY) },
        signedBytes: 8 + 20 + 32 + 8 + 4 + 8 + 8,
      },
      {
        msg: {
          type: "cancel",
          body: signCancel(MARKET_DOMAIN, { requestId: rid, requester: REQUESTER }, REQUESTER_KEY),
        },
        signedBytes: 32 + 20,
      },
      {
        msg: {
          type: "heartbeat",
          body: signHeartbeat(MATCHER_DOMAIN, { matcher: MATCHER, term: 1, seq: 2, time: NOW }, MATCHER_KEY),
        },
        signedBytes: 20 + 8 + 8 + 8,
      },
      {
        msg: {
          type: "proof",
          body: signProofAnnouncement(
            MARKET_DOMAIN,
            { marketId: 1, requestId: rid, prover: PROVER, proofHash: rid },
            PROVER_KEY,
          ),
        },
        signedBytes: 8 + 32 + 20 + 32,
      },
    ];
    for (const { msg, signedBytes } of signedMessages) {
      it(`${msg.type}: valid as built, and any bit flipped in its signed fields is never accepted`, () => {
        const ctx = context({ market: undefined });
        const bytes = encodeMessage(msg);
        assert.ok(validateMessage(ctx, bytes).signer, `${msg.type} validates as built`);
        for (let i = 2; i < 2 + signedBytes; i++) {
          for (const bit of [0x01, 0x80]) {
            const bad = bytes.slice();
            bad[i] = bad[i]! ^ bit;
            assert.throws(
              () => validateMessage(ctx, bad),
              (err: unknown) => err instanceof ProtocolError,
              `${msg.type}: byte ${i} bit ${bit} flipped was accepted`,
            );
          }
        }
      });
    }
    it("the same payload signed by an address is recovered as that address", () => {
      const q = sampleQuote({ prover: "0x0000000000000000000000000000000000000001" as Address });
      expectError(
        () =>
          validateMessage(
            context(),
            encodeMessage({ type: "quote", body: signQuote(MARKET_DOMAIN, q, PROVER_KEY) }),
          ),
        { code: "SIGNATURE_MISMATCH", verdict: "REJECT", says: [PROVER] },
        "claims another prover",
      );
    });
  });
});

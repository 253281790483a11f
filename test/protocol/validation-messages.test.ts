import assert from "node:assert/strict";
import {
  type Address,
  assignmentsHash,
  type BatchHeader,
  encodeMessage,
  eventsHash,
  type Hex32,
  keccak,
  type Message,
  ProtocolError,
  requestId,
  signBatchHeader,
  signCancel,
  signHeartbeat,
  signProofAnnouncement,
  signQuote,
  signRequest,
  toHex,
  validateBatch,
  validateCancel,
  validateHeartbeat,
  validateMessage,
  validateProofAnnouncement,
  ZERO_HASH,
} from "../../protocol/index.js";
import { expectError } from "./expect-error.js";
import {
  context,
  INPUTS,
  MARKET_DOMAIN,
  MATCHER,
  MATCHER_DOMAIN,
  MATCHER_KEY,
  NOW,
  PROVER,
  PROVER_KEY,
  REQUESTER,
  REQUESTER_KEY,
  sampleQuote,
  sampleRequest,
} from "./samples.js";

describe("protocol/validation: cancels, heartbeats, proofs, batches, bytes", () => {
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

import assert from "node:assert/strict";
import {
  fromHex,
  type Hex32,
  keccak,
  makeDomain,
  type ProofRequest,
  type Quote,
  requestId,
  signQuote,
  signRequest,
  toHex,
  type ValidationContext,
  validateQuote,
  validateRequest,
  ZERO_ADDRESS,
} from "../../protocol/index.js";
import { type Expected, expectError } from "./expect-error.js";
import {
  context,
  INPUTS,
  MARKET_DOMAIN,
  MARKETPLACE,
  NOW,
  PROVER,
  PROVER_KEY,
  REGISTRY,
  REQUESTER,
  REQUESTER_KEY,
  sampleQuote,
  sampleRequest,
} from "./samples.js";

const OTHER_KEY = fromHex(`0x${"44".repeat(32)}`);
const secret = new TextEncoder().encode("ciphertext");
const secretHash = toHex(keccak(secret)) as Hex32;

describe("protocol/validation: requests and quotes", () => {
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
        name: "nonce past u64",
        quote: { nonce: 2n ** 64n },
        expect: {
          code: "INVALID_FIELD",
          verdict: "REJECT",
          says: ["quote.nonce 18446744073709551616 is not a u64"],
        },
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
});

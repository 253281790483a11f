import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeMessage,
  encodeMessage,
  MAX_MESSAGE_BYTES,
  MESSAGE_TAGS,
  type Message,
  PROTOCOL_VERSION,
  ProtocolError,
} from "../../protocol/index.js";
import { message } from "./arbitraries.js";

function expectCode(fn: () => unknown, code: string, label: string): ProtocolError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `${label}: threw ${String(err)} instead of a ProtocolError`);
    assert.equal(err.code, code, `${label}: ${err.message}`);
    assert.equal(err.verdict, "REJECT", `${label}: decode errors are REJECT`);
    return err;
  }
  assert.fail(`${label}: expected ${code}, decoded without error`);
}

/** One sample of every message type, drawn from the arbitraries with a fixed seed. */
function onePerType(): Message[] {
  const byType = new Map<string, Message>();
  for (const m of fc.sample(message, { numRuns: 500, seed: 42 }))
    if (!byType.has(m.type)) byType.set(m.type, m);
  assert.equal(byType.size, Object.keys(MESSAGE_TAGS).length, "sample covers every type");
  return [...byType.values()];
}

describe("protocol/codec", () => {
  it("decode(encode(x)) equals x for every message type", () => {
    fc.assert(
      fc.property(message, (m) => {
        assert.deepEqual(decodeMessage(encodeMessage(m)), m);
      }),
      { numRuns: 1000 },
    );
  });

  it("encoding is canonical: re-encoding decoded bytes gives the same bytes", () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encodeMessage(m);
        assert.deepEqual(encodeMessage(decodeMessage(bytes)), bytes);
      }),
    );
  });

  describe("rejects malformed input with the right code", () => {
    for (const m of onePerType()) {
      const bytes = encodeMessage(m);
      it(`${m.type}: every truncation is DECODE_TRUNCATED`, () => {
        for (let len = 2; len < bytes.length; len++) {
          expectCode(
            () => decodeMessage(bytes.subarray(0, len)),
            "DECODE_TRUNCATED",
            `${m.type} cut to ${len}`,
          );
        }
      });
      it(`${m.type}: trailing bytes are DECODE_TRAILING_BYTES`, () => {
        const longer = new Uint8Array(bytes.length + 1);
        longer.set(bytes);
        expectCode(() => decodeMessage(longer), "DECODE_TRAILING_BYTES", `${m.type} + 1 byte`);
      });
      it(`${m.type}: oversized is DECODE_OVERSIZED before decoding`, () => {
        const big = new Uint8Array(MAX_MESSAGE_BYTES[m.type] + 1);
        big[0] = MESSAGE_TAGS[m.type];
        big[1] = PROTOCOL_VERSION;
        expectCode(() => decodeMessage(big), "DECODE_OVERSIZED", `${m.type} oversized`);
      });
      it(`${m.type}: another version is DECODE_UNKNOWN_VERSION`, () => {
        const other = bytes.slice();
        other[1] = PROTOCOL_VERSION + 1;
        expectCode(() => decodeMessage(other), "DECODE_UNKNOWN_VERSION", `${m.type} v2`);
      });
    }
  });

  const cases: { name: string; bytes: number[]; code: string }[] = [
    { name: "empty", bytes: [], code: "DECODE_EMPTY" },
    { name: "unknown tag 0x00", bytes: [0x00, 1], code: "DECODE_UNKNOWN_TYPE" },
    { name: "unknown tag 0xff", bytes: [0xff, 1, 2, 3], code: "DECODE_UNKNOWN_TYPE" },
    { name: "tag only", bytes: [MESSAGE_TAGS.quote], code: "DECODE_TRUNCATED" },
    { name: "version 0", bytes: [MESSAGE_TAGS.quote, 0], code: "DECODE_UNKNOWN_VERSION" },
    // heartbeat.term = 2^53 (high word 0x00200000): not a safe integer
    {
      name: "uint64 above 2^53 - 1",
      bytes: [MESSAGE_TAGS.heartbeat, 1, ...new Array(20).fill(1), 0, 0x20, 0, 0, 0, 0, 0, 0],
      code: "DECODE_OUT_OF_RANGE",
    },
  ];
  for (const c of cases) {
    it(`${c.name} is ${c.code}`, () => {
      expectCode(() => decodeMessage(Uint8Array.from(c.bytes)), c.code, c.name);
    });
  }

  it("a boolean byte other than 0 or 1 is DECODE_NON_CANONICAL", () => {
    const m: Message = {
      type: "batch",
      body: {
        header: {
          term: 1,
          seq: 0,
          prevHash: `0x${"00".repeat(32)}`,
          time: 5,
          eventsHash: `0x${"00".repeat(32)}`,
          assignmentsHash: `0x${"00".repeat(32)}`,
          stateDigest: `0x${"00".repeat(32)}`,
        },
        signature: `0x${"00".repeat(65)}`,
        events: [
          {
            kind: "market",
            marketId: 1,
            collateralPerRequest: 1n,
            minProvingTime: 1,
            maxProvingTime: 2,
            requiresTee: true,
            block: 9,
          },
        ],
        assignments: [],
      },
    };
    const bytes = encodeMessage(m);
    // The boolean is the byte before the event's 8-byte block number, and the event is last but
    // for the 4-byte assignment count.
    const at = bytes.length - 4 - 8 - 1;
    assert.equal(bytes[at], 1, "located the requiresTee byte");
    const bad = bytes.slice();
    bad[at] = 2;
    expectCode(() => decodeMessage(bad), "DECODE_NON_CANONICAL", "requiresTee = 2");
  });

  it("random bytes only ever fail with a coded REJECT error", () => {
    const tagged = fc
      .tuple(fc.constantFrom(...Object.values(MESSAGE_TAGS), 0, 7, 255), fc.uint8Array({ maxLength: 600 }))
      .map(([tag, rest]) => Uint8Array.from([tag, PROTOCOL_VERSION, ...rest]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), tagged), (bytes) => {
        try {
          decodeMessage(bytes);
        } catch (err) {
          assert.ok(err instanceof ProtocolError, `non-coded error: ${String(err)}`);
          assert.equal(err.verdict, "REJECT");
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("every single-byte corruption of a valid encoding decodes to a different value or fails with a code", () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.integer({ min: 1, max: 255 }), (m, pos, flip) => {
        const bytes = encodeMessage(m);
        const bad = bytes.slice();
        const i = pos % bad.length;
        bad[i] = bad[i]! ^ flip;
        try {
          assert.notDeepEqual(decodeMessage(bad), m);
        } catch (err) {
          if (err instanceof assert.AssertionError) throw err;
          assert.ok(err instanceof ProtocolError, `non-coded error: ${String(err)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

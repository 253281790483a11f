import assert from "node:assert/strict";
import { computeAddress, SigningKey } from "ethers";
import fc from "fast-check";
import {
  fromHex,
  nativeBackend,
  nobleBackend,
  ProtocolError,
  privateKeyToAddress,
  recoverAddress,
  signDigest,
  toHex,
} from "../../protocol/index.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const privateKey = fc
  .bigInt({ min: 1n, max: N - 1n })
  .map((k) => fromHex(`0x${k.toString(16).padStart(64, "0")}`));
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 });

function expectCode(fn: () => unknown, code: string): void {
  assert.throws(
    fn,
    (err: unknown) => err instanceof ProtocolError && err.code === code && err.verdict === "REJECT",
  );
}

describe("protocol/signature", () => {
  it("the native binding loaded (the fast path this machine should use)", () => {
    assert.ok(nativeBackend, "secp256k1's prebuilt native binding did not load");
    assert.equal(nativeBackend.name, "native");
  });

  it("native and fallback backends give identical signatures, public keys and recoveries", () => {
    const native = nativeBackend!;
    fc.assert(
      fc.property(privateKey, digest, (key, d) => {
        const a = native.sign(d, key);
        const b = nobleBackend.sign(d, key);
        // Both use RFC 6979 deterministic nonces and low-s: the bytes must be equal.
        assert.deepEqual(a, b);
        assert.deepEqual(native.publicKey(key), nobleBackend.publicKey(key));
        const expected = privateKeyToAddress(key);
        assert.equal(recoverAddress(d, a, native), expected);
        assert.equal(recoverAddress(d, a, nobleBackend), expected);
      }),
      { numRuns: 200 },
    );
  });

  it("signatures and addresses equal ethers' SigningKey", () => {
    fc.assert(
      fc.property(privateKey, digest, (key, d) => {
        const ours = toHex(signDigest(d, key));
        const theirs = new SigningKey(key).sign(d).serialized;
        assert.equal(ours, theirs);
        assert.equal(privateKeyToAddress(key), computeAddress(new SigningKey(key).publicKey).toLowerCase());
      }),
      { numRuns: 100 },
    );
  });

  it("a recovery never returns the zero address and a wrong digest recovers someone else", () => {
    fc.assert(
      fc.property(privateKey, digest, digest, (key, d1, d2) => {
        fc.pre(toHex(d1) !== toHex(d2));
        const sig = signDigest(d1, key);
        let other: string | undefined;
        try {
          other = recoverAddress(d2, sig);
        } catch (err) {
          assert.ok(err instanceof ProtocolError);
        }
        if (other !== undefined) {
          assert.notEqual(other, privateKeyToAddress(key));
          assert.notEqual(other, `0x${"00".repeat(20)}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  describe("rejects malformed signatures before curve arithmetic", () => {
    const key = fromHex(`0x${"42".repeat(32)}`);
    const d = fromHex(`0x${"ab".repeat(32)}`);
    const good = signDigest(d, key);
    for (const backend of [nativeBackend!, nobleBackend]) {
      it(`${backend.name}: high-s twin of a valid signature is SIGNATURE_HIGH_S`, () => {
        const s = BigInt(toHex(good.subarray(32, 64)));
        const high = good.slice();
        high.set(fromHex(`0x${(N - s).toString(16).padStart(64, "0")}`), 32);
        high[64] = good[64] === 27 ? 28 : 27;
        expectCode(() => recoverAddress(d, high, backend), "SIGNATURE_HIGH_S");
      });
      const cases: { name: string; mutate: (s: Uint8Array) => Uint8Array; code: string }[] = [
        { name: "64 bytes", mutate: (s) => s.subarray(0, 64), code: "SIGNATURE_MALFORMED" },
        { name: "66 bytes", mutate: (s) => Uint8Array.from([...s, 0]), code: "SIGNATURE_MALFORMED" },
        {
          name: "v = 0",
          mutate: (s) => Uint8Array.from([...s.subarray(0, 64), 0]),
          code: "SIGNATURE_MALFORMED",
        },
        {
          name: "v = 29",
          mutate: (s) => Uint8Array.from([...s.subarray(0, 64), 29]),
          code: "SIGNATURE_MALFORMED",
        },
        {
          name: "r = 0",
          mutate: (s) => Uint8Array.from([...new Uint8Array(32), ...s.subarray(32)]),
          code: "SIGNATURE_MALFORMED",
        },
        {
          name: "s = 0",
          mutate: (s) => Uint8Array.from([...s.subarray(0, 32), ...new Uint8Array(32), s[64]!]),
          code: "SIGNATURE_MALFORMED",
        },
        {
          name: "all zero with v = 27",
          mutate: () => Uint8Array.from([...new Uint8Array(64), 27]),
          code: "SIGNATURE_MALFORMED",
        },
        {
          // r = p - 1 is not the x of any point reachable as r mod n with this recovery id
          name: "r above the curve order",
          mutate: (s) => Uint8Array.from([...new Uint8Array(32).fill(0xff), ...s.subarray(32)]),
          code: "SIGNATURE_UNRECOVERABLE",
        },
      ];
      for (const c of cases) {
        it(`${backend.name}: ${c.name} is ${c.code}`, () => {
          expectCode(() => recoverAddress(d, c.mutate(good), backend), c.code);
        });
      }
    }
  });
});

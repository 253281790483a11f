/** Assertion helpers for coded TEE errors. */
import assert from "node:assert/strict";
import { TeeError, type TeeErrorCode } from "../../../node/tee/errors.js";

/** Asserts `fn` throws a TeeError with `code`; the label names the case in the failure message. */
export function expectTeeError(fn: () => unknown, code: TeeErrorCode, label: string): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TeeError, `${label}: threw ${String(err)} instead of a TeeError`);
    assert.equal(err.code, code, `${label}: ${err.message}`);
    return;
  }
  assert.fail(`${label}: expected ${code}, succeeded`);
}

/** `expectTeeError` for async functions. */
export async function expectTeeRejection(
  fn: () => Promise<unknown>,
  code: TeeErrorCode,
  label: string,
): Promise<void> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof TeeError, `${label}: threw ${String(err)} instead of a TeeError`);
    assert.equal(err.code, code, `${label}: ${err.message}`);
    return;
  }
  assert.fail(`${label}: expected ${code}, succeeded`);
}

/** A fixed 32-byte test key from a small integer (never a real key). */
export function testKey(n: number): Uint8Array {
  const k = new Uint8Array(32);
  k[31] = n;
  k[0] = 0x11;
  return k;
}

/** Shared by the validation tests: expect a coded error with a verdict and message fragments. */
import assert from "node:assert/strict";
import { ProtocolError } from "../../protocol/index.js";

export interface Expected {
  code: string;
  verdict: "REJECT" | "IGNORE";
  /** Fragments the message must contain: the field and the values. */
  says?: string[];
}

export function expectError(fn: () => unknown, e: Expected, label: string): void {
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

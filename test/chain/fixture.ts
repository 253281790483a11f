/** The chain tests' world: the dev system with the idle miner off (tests mine explicitly). */
import { strict as assert } from "node:assert";
import { type DevSystem, startDevSystem } from "../../chain/dev-system.js";
import type { AssignedRecord, ChainErrorCode } from "../../chain/index.js";
import { ChainError } from "../../chain/index.js";
import type { Signature } from "../../protocol/index.js";

export * from "../../chain/dev-system.js";
export type World = DevSystem;

/** One anvil per test file: call in `before`, stop in `after`. */
export function setupWorld(): Promise<World> {
  return startDevSystem({ idleMineIntervalMs: 0 });
}

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The malleable twin (n - s, v flipped) of a low-s signature: recovers to the same key. */
export function highS(sig: Signature): Signature {
  const s = BigInt(`0x${sig.slice(66, 130)}`);
  const v = Number.parseInt(sig.slice(130), 16);
  return `${sig.slice(0, 66)}${(N - s).toString(16).padStart(64, "0")}${(v === 27 ? 28 : 27).toString(16)}` as Signature;
}

/** Fails unless `p` rejects with a ChainError of `code`. */
export async function expectCode(p: Promise<unknown>, code: ChainErrorCode): Promise<ChainError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ChainError, `expected ChainError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

/** Requester deposit and prover collateral enough for a few assignments. */
export async function fund(w: World): Promise<void> {
  await (await w.market("requester")).deposit(10n ** 17n);
  await (await w.market("prover")).depositCollateral(10n * 10n ** 16n);
}

/** Sign, lay out and anchor one deposit-paid request; returns its assignment record. */
export async function assignOne(w: World): Promise<AssignedRecord> {
  const r = await w.request();
  const receipt = await (await w.market("other")).assign(
    await w.batch([{ request: w.signedRequest(r), quote: await w.quote() }]),
  );
  return w.d.marketplace.assignedIn(receipt)[0]!;
}

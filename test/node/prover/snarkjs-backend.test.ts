import assert from "node:assert/strict";
import { join } from "node:path";
import { CIRCUITS_DIR } from "../../../chain/circuits/circuits.js";
import { sampleInputs } from "../../../chain/circuits/sample-inputs.js";
import { ProverError, type ProverErrorCode } from "../../../node/prover/errors.js";
import { encodeInputsPublic } from "../../../node/prover/inputs.js";
import { loadMarketFile, type MarketDescription } from "../../../node/prover/market-file.js";
import { decodePublicInputs } from "../../../node/prover/proof-encoding.js";
import { SnarkjsBackend } from "../../../node/prover/snarkjs-backend.js";
import { releaseSnarkjs, verifyInJs } from "../../../node/prover/verify.js";

const MARKETS = [
  ["poseidon-preimage-groth16", "poseidon-preimage"],
  ["poseidon-preimage-plonk", "poseidon-preimage"],
  ["merkle-membership-groth16", "merkle-membership"],
] as const;

function market(name: string): Promise<MarketDescription> {
  return loadMarketFile(join(CIRCUITS_DIR, "markets", `${name}.json`));
}

async function rejectsWith(p: Promise<unknown>, code: ProverErrorCode): Promise<ProverError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}, but it resolved`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProverError, `expected a ProverError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

describe("node/prover SnarkjsBackend", () => {
  let backend: SnarkjsBackend;
  beforeEach(() => {
    backend = new SnarkjsBackend();
  });
  afterEach(async () => {
    await backend.stop();
  });
  // One warm backend for the proofs that do not stop or kill it: its threads start once.
  const shared = new SnarkjsBackend();
  after(async () => {
    await shared.stop();
    await releaseSnarkjs();
  });

  for (const [name, circuit] of MARKETS) {
    it(`${name}: the proof verifies in JS with the market's vkey, and a tampered one does not`, async () => {
      const m = await market(name);
      const inputs = sampleInputs(circuit, 7n);
      const result = await shared.prove(m, inputs);
      const publicNames = m.inputs.filter((s) => s.public).map((s) => s.name);
      assert.deepEqual(
        decodePublicInputs(result.publicInputs, publicNames.length),
        publicNames.map((n) => inputs[n]),
        "public inputs are the circuit's public signals in schema order",
      );
      assert.deepEqual(
        result.publicInputs,
        encodeInputsPublic(m.inputs, inputs),
        "what a requester computes",
      );
      assert.equal(await verifyInJs(m, result), true, "valid proof verifies");
      const tampered = result.proof.slice();
      tampered[40]! ^= 1;
      assert.equal(await verifyInJs(m, { ...result, proof: tampered }), false, "tampered proof fails");
    });
  }

  it("keeps the event loop free while proving (the proof runs in a worker)", async () => {
    const m = await market("merkle-membership-groth16");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await shared.prove(m, sampleInputs("merkle-membership", 3n));
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks >= 5, `main thread ran timers during the proof (${ticks} ticks)`);
  });

  it("abort before the proof starts rejects PROVER_ABORTED without touching the worker", async () => {
    const m = await market("poseidon-preimage-groth16");
    const err = await rejectsWith(
      backend.prove(m, sampleInputs("poseidon-preimage", 1n), { signal: AbortSignal.abort() }),
      "PROVER_ABORTED",
    );
    assert.match(err.message, /before it started/);
  });

  it("abort mid-proof rejects PROVER_ABORTED, and the next proof runs on a fresh worker", async () => {
    const m = await market("merkle-membership-groth16");
    const ac = new AbortController();
    const p = backend.prove(m, sampleInputs("merkle-membership", 1n), { signal: ac.signal });
    // One macrotask later the job has been posted to the worker (a proof takes hundreds of ms).
    await new Promise((r) => setImmediate(r));
    ac.abort();
    const err = await rejectsWith(p, "PROVER_ABORTED");
    assert.doesNotMatch(err.message, /before it started/, "aborted while proving: the worker was killed");
    const again = await backend.prove(m, sampleInputs("merkle-membership", 2n));
    assert.equal(await verifyInJs(m, again), true);
  });

  it("a proof over its market's timeout rejects PROVER_TIMEOUT", async () => {
    const m = await market("merkle-membership-groth16");
    const slow = { ...m, backend: { ...m.backend, timeoutMs: 1 } };
    await rejectsWith(backend.prove(slow, sampleInputs("merkle-membership", 1n)), "PROVER_TIMEOUT");
  });

  it("inputs outside the schema reject PROVER_BAD_INPUT naming the signal", async () => {
    const m = await market("merkle-membership-groth16");
    const good = sampleInputs("merkle-membership", 1n);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["missing", { ...good, root: undefined }, /inputs\.root: missing/],
      ["short array", { ...good, pathElements: ["1"] }, /inputs\.pathElements: expected 4/],
      ["not a number", { ...good, leaf: "abc" }, /inputs\.leaf: expected a field element/],
      ["outside the field", { ...good, leaf: (1n << 254n).toString() }, /inputs\.leaf: .* outside/],
      ["negative in array", { ...good, pathIndices: ["0", "1", "-1", "0"] }, /inputs\.pathIndices\[2\]/],
      ["extra signal", { ...good, nonce: "1" }, /inputs\.nonce: not a signal/],
    ];
    for (const [what, inputs, message] of cases) {
      const err = await rejectsWith(backend.prove(m, inputs as never), "PROVER_BAD_INPUT");
      assert.match(err.message, message, what);
    }
  });

  it("inputs that do not satisfy the circuit reject PROVER_FAILED", async () => {
    const m = await market("poseidon-preimage-groth16");
    const wrong = { ...sampleInputs("poseidon-preimage", 5n), hash: "12345" };
    await rejectsWith(backend.prove(m, wrong), "PROVER_FAILED");
  });

  it("singleThread: proves on one core, same verifier-ready result", async () => {
    const single = new SnarkjsBackend({ singleThread: true });
    try {
      const m = await market("poseidon-preimage-plonk");
      const result = await single.prove(m, sampleInputs("poseidon-preimage", 3n));
      assert.equal(await verifyInJs(m, result), true);
    } finally {
      await single.stop();
    }
  });

  it("stop ends a proof in flight with PROVER_STOPPED", async () => {
    const m = await market("merkle-membership-groth16");
    const p = backend.prove(m, sampleInputs("merkle-membership", 4n));
    const stopped = backend.stop();
    await rejectsWith(p, "PROVER_STOPPED");
    await stopped;
  });

  it("stop is idempotent and later proofs reject PROVER_STOPPED", async () => {
    const m = await market("poseidon-preimage-groth16");
    await backend.prove(m, sampleInputs("poseidon-preimage", 1n));
    await backend.stop();
    await backend.stop();
    await rejectsWith(backend.prove(m, sampleInputs("poseidon-preimage", 1n)), "PROVER_STOPPED");
  });
});

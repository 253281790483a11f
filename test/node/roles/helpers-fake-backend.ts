/**
 * Fakes for the prover's rules, behind the real interfaces: a backend whose proofs finish when the
 * test says so (or fail as scripted), a chain clock the test moves, and records to queue.
 */
import type { AssignedRecord } from "../../../chain/marketplace-client.js";
import type { ProofResult, ProveOptions, ProverBackend } from "../../../node/prover/backend.js";
import { ProverError, type ProverErrorCode } from "../../../node/prover/errors.js";
import type { CircuitInputs } from "../../../node/prover/inputs.js";
import type { MarketDescription } from "../../../node/prover/market-file.js";
import { type Address, type Hex32, keccak, toHex } from "../../../protocol/index.js";
import { fakeProofResult } from "../../../sim/sim-backend.js";

/** A market description for the fakes (never run by a real prover). */
export const FAKE_MARKET: MarketDescription = {
  version: 1,
  name: "fake-poseidon",
  scheme: "groth16",
  verifier: null,
  backend: { kind: "snarkjs", wasm: "/nonexistent.wasm", zkey: "/nonexistent.zkey" },
  inputs: [
    { name: "hash", public: true },
    { name: "preimage", public: false },
  ],
};

/** A proof in flight in the fake backend: the test resolves or fails it. */
export interface FakeProof {
  inputs: CircuitInputs;
  finish(): void;
  fail(code: ProverErrorCode): void;
}

/**
 * A backend that proves nothing: `prove` waits until the test finishes it (or, with `autoFinish`,
 * answers at once), then returns 8 words of 0x01 bytes (which TestVerifier accepts) and the public inputs of the witness. `failWith`
 * scripts failures of the next calls, in order.
 */
export class FakeBackend implements ProverBackend {
  readonly inFlight: FakeProof[] = [];
  calls = 0;
  failWith: ProverErrorCode[] = [];
  stopped = false;

  constructor(private readonly autoFinish = true) {}

  async prove(
    market: MarketDescription,
    inputs: CircuitInputs,
    options: ProveOptions = {},
  ): Promise<ProofResult> {
    this.calls++;
    const scripted = this.failWith.shift();
    if (scripted) throw new ProverError(scripted, `fake backend: scripted ${scripted}`);
    const result = fakeProofResult(market, inputs);
    if (this.autoFinish) return result;
    return new Promise<ProofResult>((resolve, reject) => {
      const entry: FakeProof = {
        inputs,
        finish: () => {
          this.inFlight.splice(this.inFlight.indexOf(entry), 1);
          resolve(result);
        },
        fail: (code) => {
          this.inFlight.splice(this.inFlight.indexOf(entry), 1);
          reject(new ProverError(code, `fake backend: ${code}`));
        },
      };
      options.signal?.addEventListener("abort", () => entry.fail("PROVER_ABORTED"), { once: true });
      this.inFlight.push(entry);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}

/** A chain clock the test moves. */
export class FakeClock {
  constructor(public nowS = 1_000_000) {}
  now = (): number => this.nowS;
  advance(seconds: number): void {
    this.nowS += seconds;
  }
}

/** An assigned record for public inputs `publicInputs`, due at `deadline`. */
export function fakeRecord(n: number, publicInputs: Uint8Array, deadline: number): AssignedRecord {
  return {
    requestId: `0x${n.toString(16).padStart(64, "0")}` as Hex32,
    requester: `0x${"11".repeat(20)}` as Address,
    marketId: 1,
    prover: `0x${"22".repeat(20)}` as Address,
    price: 100n,
    inputsHash: toHex(keccak(publicInputs)) as Hex32,
    deadline,
  };
}

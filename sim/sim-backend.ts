/**
 * The simulator's prover backend: the FakeBackend of the role tests (test/node/roles/
 * helpers-fake-backend.ts) made a sim component. It proves nothing, so a hundred provers cost no CPU:
 * a proof is 256 bytes of 0x01, which the TestVerifier the sim markets use accepts. A silent backend
 * never answers (until aborted): the prover that never proves.
 */
import type { ProofResult, ProveOptions, ProverBackend } from "../node/prover/backend.js";
import { ProverError } from "../node/prover/errors.js";
import { type CircuitInputs, encodeInputsPublic } from "../node/prover/inputs.js";
import type { MarketDescription } from "../node/prover/market-file.js";

/**
 * The fake proof of `inputs`: 256 bytes of 0x01 (TestVerifier accepts it) and the public inputs the
 * market's schema takes from the inputs. Shared with the role tests' FakeBackend.
 */
export function fakeProofResult(market: MarketDescription, inputs: CircuitInputs): ProofResult {
  return { proof: new Uint8Array(256).fill(1), publicInputs: encodeInputsPublic(market.inputs, inputs) };
}

/** A backend whose proofs are instant fakes, or (silent) never come. */
export class SimBackend implements ProverBackend {
  calls = 0;

  constructor(private readonly silent = false) {}

  async prove(
    market: MarketDescription,
    inputs: CircuitInputs,
    options: ProveOptions = {},
  ): Promise<ProofResult> {
    this.calls++;
    const result = fakeProofResult(market, inputs);
    if (!this.silent) return result;
    // Never resolves: the deadline passes and the requester slashes. Released on abort (stop).
    return new Promise<ProofResult>((_, reject) => {
      options.signal?.addEventListener(
        "abort",
        () => reject(new ProverError("PROVER_ABORTED", "sim backend: silent prover stopped")),
        { once: true },
      );
    });
  }

  async stop(): Promise<void> {}
}

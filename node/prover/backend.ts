/** The one interface every prover backend implements: inputs in, verifier-ready bytes out. */
import type { CircuitInputs } from "./inputs.js";
import type { MarketDescription } from "./market-file.js";

/** A proof in the exact form the market's `IProofVerifier.verify(publicInputs, proof)` takes. */
export interface ProofResult {
  /** ABI-encoded proof (chain/circuits/README.md gives the layout per scheme). */
  proof: Uint8Array;
  /** ABI-encoded public inputs, `abi.encode(uint256[N])` for the snarkjs schemes. */
  publicInputs: Uint8Array;
}

/** Options of `prove`: abort kills the proving work and rejects with PROVER_ABORTED. */
export interface ProveOptions {
  signal?: AbortSignal;
}

/**
 * Turns a market's inputs into a proof its verifier accepts. Errors are `ProverError`s with a code.
 * `stop()` releases workers and processes; it is idempotent, and later `prove` calls fail with
 * PROVER_STOPPED.
 */
export interface ProverBackend {
  prove(market: MarketDescription, inputs: CircuitInputs, options?: ProveOptions): Promise<ProofResult>;
  stop(): Promise<void>;
}

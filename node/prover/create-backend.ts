/** Picks the backend a market's description asks for. */
import type { ProverBackend } from "./backend.js";
import { CommandBackend } from "./command-backend.js";
import type { MarketDescription } from "./market-file.js";
import { SnarkjsBackend } from "./snarkjs-backend.js";

/** A new backend of the kind `market.backend.kind` names; the caller owns it and stops it. */
export function createBackend(market: MarketDescription): ProverBackend {
  return market.backend.kind === "snarkjs" ? new SnarkjsBackend() : new CommandBackend();
}

/**
 * A sim prover: the real Prover role over a SimBackend (instant fake proofs, or none when silent),
 * quoting one price on every market. One builder for the in-process network and a node process.
 */
import type { MarketplaceClient } from "../chain/marketplace-client.js";
import type { KalypsoNode } from "../node/kalypso-node.js";
import type { Logger } from "../node/logger.js";
import type { MarketDescription } from "../node/prover/market-file.js";
import { Prover } from "../node/roles/prover.js";
import type { Address } from "../protocol/index.js";
import { SimBackend } from "./sim-backend.js";

/** What a sim prover quotes: wei per proof, seconds per proof, proofs at once. */
export interface SimPricing {
  price: bigint;
  provingTime: number;
  capacity: number;
}

/** A sim market: its id on-chain and the description its provers "prove" with. */
export interface SimMarket {
  marketId: number;
  description: MarketDescription;
}

/** What a sim prover is built from, besides its node. */
export interface SimProverParts {
  node: KalypsoNode;
  /** The marketplace, sending from the prover's account. */
  marketplace: MarketplaceClient;
  key: Uint8Array;
  markets: SimMarket[];
  pricing: SimPricing;
  /** Collateral the prover keeps deposited, wei. */
  minCollateral: bigint;
  silent: boolean;
  logger: Logger;
}

/** Build (not start) the prover role of a sim prover. */
export function simProver(p: SimProverParts): Prover {
  const backend = new SimBackend(p.silent);
  return new Prover(
    {
      node: p.node,
      marketplace: p.marketplace,
      key: p.key,
      markets: new Map(p.markets.map((m) => [m.marketId, { description: m.description, backend }])),
      logger: p.logger,
    },
    {
      pricing: new Map(p.markets.map((m) => [m.marketId, p.pricing])),
      minCollateral: p.minCollateral,
      capacity: p.pricing.capacity,
    },
  );
}

/**
 * Follow what the sequenced log says of `prover` as `node` receives its batches: call `onHeld`
 * with each request a leader-signed batch assigns to it and the wall time it arrived (when the
 * prover "holds" the assignment, before it is anchored on-chain); and count the markets whose quote
 * from it the log carries (from then on the leader may match it), valid after a chain time if given.
 */
export function watchProverLog(
  node: KalypsoNode,
  prover: Address,
  onHeld: (requestId: string, atMs: number) => void,
): { quotedMarkets: (validAfter?: number) => number } {
  const me = prover.toLowerCase();
  // Per market, the latest valid-until of its quotes the log carries.
  const quotedUntil = new Map<number, number>();
  node.gossip.onMessage((d) => {
    if (d.message.type !== "batch") return;
    for (const e of d.message.body.events)
      if (e.kind === "quote" && e.signed.quote.prover === me) {
        const q = e.signed.quote;
        quotedUntil.set(q.marketId, Math.max(quotedUntil.get(q.marketId) ?? 0, q.validUntil));
      }
    for (const a of d.message.body.assignments) if (a.prover === me) onHeld(a.requestId, Date.now());
  });
  return {
    quotedMarkets: (validAfter = 0) => [...quotedUntil.values()].filter((until) => until > validAfter).length,
  };
}

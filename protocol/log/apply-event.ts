/**
 * One log event into the engine. Signed events are validated first with the gossip rules of
 * protocol/validation, at the batch's time and against the markets the log knows: so the leader and
 * every follower judge each event the same way, whatever each saw on gossip.
 */

import { ProtocolError } from "../errors.js";
import type { EventOutcome } from "../matching/types.js";
import type { LogEvent, ProofRequest } from "../messages.js";
import type { ValidationContext } from "../validation/context.js";
import { validateCancel, validateQuote, validateRequest } from "../validation/validate.js";
import type { LogState } from "./log-state.js";

/** How the caller lets validation skip work it already did. */
export interface ApplyOptions {
  /** True when this (id, signature) was verified before (at gossip): skips the signature recovery. */
  verified?: ValidationContext["verified"];
  /** The digest (id) of a signed message computed before (at gossip): skips hashing it again. */
  knownDigest?: ValidationContext["knownDigest"];
}

/** What became of an event: applied (with the engine's outcome) or ignored (a no-op in the log). */
export type EventResult = { applied: true; outcome: EventOutcome } | { applied: false; error: ProtocolError };

/**
 * Validate and apply one event at the engine's current time. Returns `applied: false`, having changed
 * nothing, for an event validation IGNOREs (expired, unknown market: not wrong, only stale). Throws the ProtocolError for an event validation REJECTs: it must not be in any log.
 */
export function applyEvent(state: LogState, e: LogEvent, opts: ApplyOptions = {}): EventResult {
  const engine = state.engine;
  try {
    switch (e.kind) {
      case "request": {
        const r = e.signed.request;
        const { id } = validateRequest(context(state, opts), e.signed);
        return applied(engine.request({ id, ...fieldsOfRequest(r) }));
      }
      case "quote": {
        const { id } = validateQuote(context(state, opts), e.signed);
        return applied(engine.quote({ id, ...e.signed.quote }));
      }
      case "cancel": {
        validateCancel(context(state, opts), e.signed);
        return applied(engine.cancel(e.signed.cancel.requestId, e.signed.cancel.requester));
      }
      case "market":
        return applied(
          engine.market({
            marketId: e.marketId,
            collateralPerRequest: e.collateralPerRequest,
            minProvingTime: e.minProvingTime,
            maxProvingTime: e.maxProvingTime,
            requiresTee: e.requiresTee,
          }),
        );
      case "collateral":
        return applied(engine.collateral(e.prover, e.total));
      case "proven":
      case "slashed":
        return applied(engine.settle(e.requestId));
      case "anchored":
        // The assignment already holds its share; anchored, it is no longer void past assign-by.
        return applied(engine.anchored(e.requestId));
    }
  } catch (err) {
    // Validation runs before the engine is touched, so an ignored event has changed nothing.
    if (err instanceof ProtocolError && err.verdict === "IGNORE") return { applied: false, error: err };
    throw err;
  }
}

function applied(outcome: EventOutcome): EventResult {
  return { applied: true, outcome };
}

function fieldsOfRequest(r: ProofRequest) {
  return {
    marketId: r.marketId,
    requester: r.requester,
    maxPrice: r.maxPrice,
    assignBy: r.assignBy,
    provingTime: r.provingTime,
  };
}

function context(state: LogState, opts: ApplyOptions): ValidationContext {
  const markets = state.engine.markets;
  return {
    now: state.engine.time,
    marketDomain: state.marketDomain,
    matcherDomain: state.matcherDomain,
    market: (id) => markets.get(id)?.params,
    verified: opts.verified,
    knownDigest: opts.knownDigest,
    backend: state.backend,
  };
}

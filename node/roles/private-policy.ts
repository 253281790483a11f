/**
 * Where a node enforces the privacy rule of docs/PROTOCOL.md "Inputs" without changing the signed
 * structs: a matcher never sequences a request whose inline witness breaks it (a sealed envelope in
 * an open market, a plaintext witness in a market requiring TEE provers), so it is never assigned.
 * A witness sent by hash is not fetched here: its prover checks it (prover.ts refuses to open
 * what is not sealed, and a plaintext witness reaches only nodes that fetch it).
 */
import { type Hex32, requestId, type SignedRequest } from "../../protocol/index.js";
import type { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import { checkSecretPolicy } from "./private-envelope.js";
import { PrivateInputsError } from "./private-errors.js";

/** A request refused for its witness. */
export interface PrivateRefusal {
  requestId: Hex32;
  code: string;
}

/**
 * True when `signed` breaks its market's privacy rule (then it is logged by code and reported to
 * `onRefused`); false when it is fine or its market is unknown (the protocol's rules handle that).
 */
export function privateRuleBroken(
  node: KalypsoNode,
  signed: SignedRequest,
  logger: Logger,
  onRefused?: (r: PrivateRefusal) => void,
): boolean {
  const rules = node.followedMarkets.get(signed.request.marketId);
  if (!rules) return false;
  try {
    checkSecretPolicy(rules.requiresTee, signed.secret);
    return false;
  } catch (err) {
    if (!(err instanceof PrivateInputsError)) throw err;
    const id = requestId(node.validationContext().marketDomain, signed.request);
    // The code only: the message is fine, but a witness must never reach a log line.
    logger.warn(
      { requestId: id, code: err.code },
      "request refused: its witness breaks the market's privacy rule",
    );
    onRefused?.({ requestId: id, code: err.code });
    return true;
  }
}

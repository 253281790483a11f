/**
 * Field rules shared by several messages. Each throws a ProtocolError whose message names the field
 * and the values, and whose verdict says whether the sender is at fault.
 */
import type { Address, Hex, Hex32 } from "../bytes.js";
import { fromHex, toHex, ZERO_ADDRESS } from "../bytes.js";
import { MAX_PROVING_TIME_S, MIN_PROVING_TIME_S } from "../constants.js";
import { ignore, reject } from "../errors.js";
import { recoverAddress } from "../signature.js";
import type { MarketRules, ValidationContext } from "./context.js";

export function checkNonZeroAddress(field: string, a: Address): void {
  // [REJECT] no message may name the zero address: nobody holds its key
  if (a === ZERO_ADDRESS) throw reject("ZERO_ADDRESS", `${field} is the zero address`);
}

export function checkPositiveMoney(field: string, v: bigint): void {
  // [REJECT] money is strictly positive wei
  if (v <= 0n) throw reject("ZERO_MONEY", `${field} ${v} must be more than 0 wei`);
}

export function checkProvingTime(field: string, v: number, market?: MarketRules): void {
  const min = market ? Math.max(MIN_PROVING_TIME_S, market.minProvingTime) : MIN_PROVING_TIME_S;
  const max = market ? Math.min(MAX_PROVING_TIME_S, market.maxProvingTime) : MAX_PROVING_TIME_S;
  // [REJECT] proving time within the protocol's (and the market's) bounds
  if (v < min || v > max) {
    const where = market ? "the market's range" : "the protocol's range";
    throw reject("PROVING_TIME_OUT_OF_RANGE", `${field} ${v}s is outside ${where} [${min}, ${max}]`);
  }
}

export function checkDuplicate(ctx: ValidationContext, what: string, id: Hex32): void {
  // [IGNORE] already seen: not wrong, only useless
  if (ctx.seen?.(id)) throw ignore("DUPLICATE", `${what} ${id} was already seen`);
}

export function checkSignedBy(
  field: string,
  digest: Uint8Array,
  signature: string,
  expected: Address,
  ctx: ValidationContext,
): void {
  // Already verified (same id, same signature): recovery would give the same answer.
  if (ctx.verified?.(toHex(digest), signature as Hex)) return;
  // [REJECT] the signature recovers to the named signer (a signature for another chain, contract or
  // message recovers to some other address and fails here)
  const signer = recoverAddress(digest, fromHex(signature), ctx.backend);
  if (signer !== expected) {
    throw reject("SIGNATURE_MISMATCH", `${field} recovers to ${signer}, not the named signer ${expected}`);
  }
}

export function lookupMarket(
  ctx: ValidationContext,
  field: string,
  marketId: number,
): MarketRules | undefined {
  if (ctx.market === undefined) return undefined;
  const rules = ctx.market(marketId);
  // [IGNORE] a market this node does not know (yet): it may learn of it from the chain later
  if (rules === undefined)
    throw ignore("UNKNOWN_MARKET", `${field} ${marketId} is not a market this node knows`);
  return rules;
}

/** Valid signed messages built from fixed keys, for the rule tests. */
import {
  type Address,
  type Domain,
  fromHex,
  type Hex32,
  keccak,
  type MarketRules,
  makeDomain,
  type ProofRequest,
  privateKeyToAddress,
  type Quote,
  toHex,
  type ValidationContext,
  ZERO_HASH,
} from "../../protocol/index.js";

export const NOW = 1_700_000_000;
export const REQUESTER_KEY = fromHex(`0x${"11".repeat(32)}`);
export const PROVER_KEY = fromHex(`0x${"22".repeat(32)}`);
export const MATCHER_KEY = fromHex(`0x${"33".repeat(32)}`);
export const REQUESTER = privateKeyToAddress(REQUESTER_KEY);
export const PROVER = privateKeyToAddress(PROVER_KEY);
export const MATCHER = privateKeyToAddress(MATCHER_KEY);

export const MARKETPLACE = "0x5fbdb2315678afecb367f032d93f642f64180aa3" as Address;
export const REGISTRY = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512" as Address;
export const MARKET_DOMAIN: Domain = makeDomain(31337, MARKETPLACE);
export const MATCHER_DOMAIN: Domain = makeDomain(31337, REGISTRY);

export const INPUTS = new TextEncoder().encode('{"a":"3","b":"11"}');
export const INPUTS_HASH = toHex(keccak(INPUTS)) as Hex32;

export const MARKETS: Record<number, MarketRules> = {
  1: { minProvingTime: 10, maxProvingTime: 3600, requiresTee: false },
  2: { minProvingTime: 10, maxProvingTime: 3600, requiresTee: true },
};

export function context(over: Partial<ValidationContext> = {}): ValidationContext {
  return {
    now: NOW,
    marketDomain: MARKET_DOMAIN,
    matcherDomain: MATCHER_DOMAIN,
    market: (id) => MARKETS[id],
    ...over,
  };
}

export function sampleRequest(over: Partial<ProofRequest> = {}): ProofRequest {
  return {
    marketId: 1,
    requester: REQUESTER,
    inputsHash: INPUTS_HASH,
    secretHash: ZERO_HASH,
    maxPrice: 10n ** 15n,
    assignBy: NOW + 600,
    provingTime: 120,
    nonce: 7n,
    ...over,
  };
}

export function sampleQuote(over: Partial<Quote> = {}): Quote {
  return {
    marketId: 1,
    prover: PROVER,
    price: 5n * 10n ** 14n,
    provingTime: 60,
    capacity: 4,
    validUntil: NOW + 300,
    nonce: 1n,
    ...over,
  };
}

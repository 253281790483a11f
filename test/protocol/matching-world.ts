/** A small engine world for the matching tests: fake ids (the engine trusts its inputs), names for provers. */
import type { Address, Hex32 } from "../../protocol/bytes.js";
import { MatchingEngine } from "../../protocol/matching/engine.js";
import type { EventOutcome, MarketParams, QuoteInput, RequestInput } from "../../protocol/matching/types.js";
import type { Assignment } from "../../protocol/messages.js";

export const T0 = 1_000;
export const ALICE = `0x${"a1".repeat(20)}` as Address;
export const BOB = `0x${"b0".repeat(20)}` as Address;
export const PROVERS = {
  p: `0x${"01".repeat(20)}` as Address,
  q: `0x${"02".repeat(20)}` as Address,
  r: `0x${"03".repeat(20)}` as Address,
} as const;
export type ProverName = keyof typeof PROVERS;

const hex32 = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex32;

/** An engine with market 1 (collateral 10 per request) and provers p, q, r holding 1000 each. */
export class World {
  readonly e = new MatchingEngine();
  private n = 1;
  /** Every assignment made so far, in order. */
  readonly made: Assignment[] = [];

  constructor(market: Partial<MarketParams> = {}, collateral = 1000n) {
    this.e.advance(T0);
    this.market(market);
    for (const a of Object.values(PROVERS)) this.e.collateral(a, collateral);
  }

  market(over: Partial<MarketParams> = {}): EventOutcome {
    return this.drain(
      this.e.market({
        marketId: 1,
        collateralPerRequest: 10n,
        minProvingTime: 1,
        maxProvingTime: 3600,
        requiresTee: false,
        ...over,
      }),
    );
  }

  quote(prover: ProverName, over: Partial<QuoteInput> = {}): { id: Hex32; outcome: EventOutcome } {
    const q: QuoteInput = {
      id: hex32(0x100000 + this.n++),
      marketId: 1,
      prover: PROVERS[prover],
      price: 100n,
      provingTime: 60,
      capacity: 10,
      validUntil: T0 + 1000,
      nonce: BigInt(this.n),
      ...over,
    };
    return { id: q.id, outcome: this.drain(this.e.quote(q)) };
  }

  request(over: Partial<RequestInput> = {}): { id: Hex32; outcome: EventOutcome } {
    const r: RequestInput = {
      id: hex32(0x200000 + this.n++),
      marketId: 1,
      requester: ALICE,
      maxPrice: 1000n,
      assignBy: T0 + 500,
      provingTime: 120,
      ...over,
    };
    return { id: r.id, outcome: this.drain(this.e.request(r)) };
  }

  cancel(id: Hex32, requester = ALICE): EventOutcome {
    return this.drain(this.e.cancel(id, requester));
  }

  settle(id: Hex32): EventOutcome {
    return this.drain(this.e.settle(id));
  }

  collateral(prover: ProverName, total: bigint): EventOutcome {
    return this.drain(this.e.collateral(PROVERS[prover], total));
  }

  advance(time: number): void {
    this.e.advance(time);
    this.drain("updated");
  }

  /** Who got request `id`, by prover name, or undefined. */
  proverOf(id: Hex32): ProverName | undefined {
    const a = this.made.find((x) => x.requestId === id);
    if (!a) return undefined;
    return (Object.keys(PROVERS) as ProverName[]).find((k) => PROVERS[k] === a.prover);
  }

  assignmentOf(id: Hex32): Assignment | undefined {
    return this.made.find((x) => x.requestId === id);
  }

  private drain(outcome: EventOutcome): EventOutcome {
    this.made.push(...this.e.takeAssignments());
    return outcome;
  }
}

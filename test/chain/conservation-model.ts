/**
 * A simple TypeScript model of the marketplace's money rules, and random steps to drive both the
 * model and the contract. After each step the caller compares them and checks conservation.
 */
import fc from "fast-check";
import type { AssignedRecord } from "../../chain/index.js";
import type { Address, Hex32, ProofRequest } from "../../protocol/index.js";

/** Collateral per request in the fuzz market, and the slash split (basis points of it). */
export const C = 10n ** 16n;
export const BOUNTY = C / 10n;
export const TO_TREASURY = C / 10n;
export const QUOTE_PROVING_TIME = 60;
export const WITHDRAWAL_DELAY = 3600;

export type RequestState = "open" | "assigned" | "fulfilled" | "slashed" | "cancelled" | "refunded";

/** A request the model knows: paid on-chain (escrow maxPrice while open) or assigned from a deposit. */
export interface ModelRequest {
  request: ProofRequest;
  id: Hex32;
  state: RequestState;
  record?: AssignedRecord;
}

export interface ProverModel {
  free: bigint;
  locked: bigint;
  pending: bigint;
  readyAt: number;
}

/** Everything money: the contract's balance must equal `total(model)` after every step. */
export class Model {
  now = 0;
  readonly free = new Map<Address, bigint>();
  readonly collateral = new Map<Address, ProverModel>();
  treasury = 0n;
  readonly requests: ModelRequest[] = [];

  freeOf(a: Address): bigint {
    return this.free.get(a) ?? 0n;
  }

  credit(a: Address, x: bigint): void {
    this.free.set(a, this.freeOf(a) + x);
  }

  proverOf(a: Address): ProverModel {
    let p = this.collateral.get(a);
    if (!p) {
      p = { free: 0n, locked: 0n, pending: 0n, readyAt: 0 };
      this.collateral.set(a, p);
    }
    return p;
  }

  /** Escrow: maxPrice of open on-chain requests plus the price of assigned ones. */
  escrow(): bigint {
    let e = 0n;
    for (const r of this.requests) {
      if (r.state === "open") e += r.request.maxPrice;
      if (r.state === "assigned") e += r.record!.price;
    }
    return e;
  }

  total(): bigint {
    let t = this.treasury + this.escrow();
    for (const v of this.free.values()) t += v;
    for (const p of this.collateral.values()) t += p.free + p.locked + p.pending;
    return t;
  }

  inState(state: RequestState): ModelRequest[] {
    return this.requests.filter((r) => r.state === state);
  }
}

/** One random step; `who`, `pick` select among parties and requests modulo their count at run time. */
export type Step =
  | { kind: "deposit"; who: number; amount: bigint }
  | { kind: "withdraw"; who: number; permille: number }
  | { kind: "collateral"; who: number; amount: bigint }
  | { kind: "requestWithdrawal"; who: number; permille: number }
  | { kind: "withdrawCollateral"; who: number }
  | { kind: "submit"; who: number; maxPrice: bigint; assignIn: number }
  | {
      kind: "assign";
      who: number;
      prover: number;
      price: bigint;
      surplus: bigint;
      fresh: number;
      picks: number[];
    }
  | { kind: "fulfil"; pick: number; valid: boolean }
  | { kind: "slash"; pick: number }
  | { kind: "cancel"; pick: number }
  | { kind: "refund"; pick: number }
  | { kind: "time"; seconds: number }
  | { kind: "treasury" };

const wei = (max: bigint) => fc.bigInt({ min: 1n, max });

/** Random steps, weighted toward the ones that move money through requests. */
export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("deposit" as const),
      who: fc.nat(3),
      amount: wei(5n * 10n ** 16n),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("withdraw" as const), who: fc.nat(4), permille: fc.nat(1200) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("collateral" as const), who: fc.nat(1), amount: wei(20n * C) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("requestWithdrawal" as const),
      who: fc.nat(1),
      permille: fc.nat(1200),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant("withdrawCollateral" as const), who: fc.nat(1) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant("submit" as const),
      who: fc.nat(1),
      maxPrice: wei(10n ** 15n),
      assignIn: fc.integer({ min: 5, max: 300 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("assign" as const),
      who: fc.nat(1),
      prover: fc.nat(1),
      price: wei(10n ** 15n),
      surplus: fc.bigInt({ min: 0n, max: 10n ** 14n }),
      fresh: fc.integer({ min: 1, max: 4 }),
      picks: fc.array(fc.nat(20), { maxLength: 2 }),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("fulfil" as const),
      pick: fc.nat(50),
      valid: fc.oneof(fc.constant(true), fc.boolean()),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant("slash" as const), pick: fc.nat(50) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat(50) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("refund" as const), pick: fc.nat(50) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant("time" as const),
      seconds: fc.oneof(
        // Mostly short (deadlines, assign-by), sometimes past the collateral withdrawal delay.
        { arbitrary: fc.integer({ min: 1, max: 200 }), weight: 3 },
        { arbitrary: fc.constant(3700), weight: 1 },
      ),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant("treasury" as const) }), weight: 1 },
);

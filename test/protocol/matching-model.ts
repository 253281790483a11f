/**
 * A reference model of the matching rule, written the slow and obvious way: after every event, every
 * waiting request in sequence order scans every quote of its market. The engine must produce exactly
 * the same assignments; the property tests also check the safety rules on the model's bookkeeping.
 */
import type { Address, Hex32 } from "../../protocol/bytes.js";
import { ANCHOR_GRACE_S } from "../../protocol/constants.js";
import type { MarketParams, QuoteInput, RequestInput } from "../../protocol/matching/types.js";
import type { Assignment } from "../../protocol/messages.js";

interface MRequest extends RequestInput {
  seq: number;
  state: "waiting" | "assigned" | "cancelled" | "gone";
}
interface MQuote extends QuoteInput {
  seq: number;
}
interface MAssignment {
  request: MRequest;
  quote: MQuote;
  deadline: number;
  holdsCapacity: boolean;
  collateral: bigint;
  anchored: boolean;
}

/** The model's state and events, mirroring the engine's API. */
export class Model {
  /** Seconds past assign-by an assignment never anchored is kept (the engine's `anchorGrace`). */
  constructor(private readonly anchorGrace = ANCHOR_GRACE_S) {}

  time = 0;
  seq = 0;
  readonly markets = new Map<number, MarketParams>();
  readonly collateral = new Map<Address, bigint>();
  /** Current quote and highest nonce per market/prover. */
  readonly quotes = new Map<string, MQuote>();
  readonly nonces = new Map<string, bigint>();
  readonly requests = new Map<Hex32, MRequest>();
  readonly open: MAssignment[] = [];
  readonly made: Assignment[] = [];

  market(p: MarketParams): void {
    this.seq++;
    this.markets.set(p.marketId, p);
    this.match();
  }

  setCollateral(prover: Address, total: bigint): void {
    this.seq++;
    this.collateral.set(prover, total);
    this.match();
  }

  request(r: RequestInput): void {
    const seq = this.seq++;
    if (!this.markets.has(r.marketId) || r.assignBy <= this.time || this.requests.has(r.id)) return;
    this.requests.set(r.id, { ...r, seq, state: "waiting" });
    this.match();
  }

  quote(q: QuoteInput): void {
    const seq = this.seq++;
    if (!this.markets.has(q.marketId) || q.validUntil <= this.time) return;
    const key = `${q.marketId}/${q.prover}`;
    if (q.nonce <= (this.nonces.get(key) ?? -1n)) return;
    this.nonces.set(key, q.nonce);
    this.quotes.set(key, { ...q, seq });
    this.match();
  }

  cancel(id: Hex32, requester: Address): void {
    this.seq++;
    const r = this.requests.get(id);
    if (r && r.requester === requester && r.state === "waiting") r.state = "cancelled";
  }

  settle(id: Hex32): void {
    this.seq++;
    const i = this.open.findIndex((a) => a.request.id === id);
    if (i >= 0) this.open.splice(i, 1);
    this.match();
  }

  anchored(id: Hex32): void {
    this.seq++;
    const a = this.open.find((x) => x.request.id === id);
    if (a) a.anchored = true;
  }

  advance(time: number): void {
    this.time = time;
    for (const r of this.requests.values()) if (r.assignBy <= time) this.requests.delete(r.id);
    // Never anchored by assign-by + grace: void (the chain refuses it from assign-by on).
    const gone = this.open.filter((a) => !a.anchored && a.request.assignBy + this.anchorGrace <= time);
    for (const a of gone) this.open.splice(this.open.indexOf(a), 1);
    for (const [k, q] of this.quotes) if (q.validUntil <= time) this.quotes.delete(k);
    for (const a of this.open) if (a.deadline <= time) a.holdsCapacity = false;
    this.match();
  }

  /** Assignments of a prover in a market that still hold capacity. */
  inFlight(marketId: number, prover: Address): number {
    return this.open.filter(
      (a) => a.holdsCapacity && a.quote.marketId === marketId && a.quote.prover === prover,
    ).length;
  }

  /** Collateral held by a prover's open assignments. */
  held(prover: Address): bigint {
    return this.open.filter((a) => a.quote.prover === prover).reduce((s, a) => s + a.collateral, 0n);
  }

  /** Can `q` take one more request now? */
  eligible(q: MQuote): boolean {
    const cpr = this.markets.get(q.marketId)!.collateralPerRequest;
    const free = (this.collateral.get(q.prover) ?? 0n) - this.held(q.prover);
    return this.inFlight(q.marketId, q.prover) < q.capacity && free >= cpr;
  }

  private match(): void {
    const waiting = [...this.requests.values()]
      .filter((r) => r.state === "waiting")
      .sort((a, b) => a.seq - b.seq);
    for (const r of waiting) {
      let best: MQuote | undefined;
      for (const q of this.quotes.values()) {
        if (q.marketId !== r.marketId || q.price > r.maxPrice || q.provingTime > r.provingTime) continue;
        if (!this.eligible(q)) continue;
        if (
          best === undefined ||
          q.price < best.price ||
          (q.price === best.price &&
            (q.provingTime < best.provingTime || (q.provingTime === best.provingTime && q.seq < best.seq)))
        )
          best = q;
      }
      if (best === undefined) continue;
      r.state = "assigned";
      const collateral = this.markets.get(r.marketId)!.collateralPerRequest;
      this.open.push({
        request: r,
        quote: best,
        deadline: this.time + best.provingTime,
        holdsCapacity: true,
        collateral,
        anchored: false,
      });
      this.made.push({
        requestId: r.id,
        quoteId: best.id,
        prover: best.prover,
        price: best.price,
        provingTime: best.provingTime,
      });
    }
  }
}

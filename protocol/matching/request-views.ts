/**
 * What callers outside the engine read of its requests and open assignments (tests, the node's
 * views): copies made from their rows (see RequestStore), never the rows themselves.
 */
import type { Hex32 } from "../bytes.js";
import type { IdTable } from "./id-table.js";
import type { RequestStore } from "./request-store.js";
import type { ProverMarket, QuoteEntry, RequestInput, RequestStatus } from "./types.js";

/** A known request, as a copy: waiting, assigned, or cancelled (kept until assign-by for dedupe). */
export interface RequestView extends RequestInput {
  /** Position of its event in the log: the matching order. */
  seq: number;
  status: RequestStatus;
}

/** An open assignment, as a copy: holds collateral until proof or slash, capacity until then or its deadline. */
export interface AssignmentView {
  request: RequestView;
  quote: QuoteEntry;
  pm: ProverMarket;
  seq: number;
  /** Batch time + the quote's proving time: past it the prover may be slashed and its capacity is free. */
  deadline: number;
  capacityHeld: boolean;
  /**
   * The chain confirmed it (an `anchored` event in the log). One never confirmed is void once the
   * log's time passes its request's assign-by + ANCHOR_GRACE_S: the chain refuses it from then on.
   */
  anchored: boolean;
  /** The market's collateral per request when assigned. */
  collateral: bigint;
}

/** Request `h` as it stands. */
export function requestView(rows: RequestStore, h: number): RequestView {
  return {
    id: rows.id(h),
    marketId: rows.marketId(h),
    requester: rows.requesters[h]!,
    maxPrice: rows.maxPrices[h]!,
    assignBy: rows.assignBy(h),
    provingTime: rows.provingTime(h),
    seq: rows.seq(h),
    status: rows.status(h),
  };
}

/** Request `h`'s open assignment, if it has one. */
export function assignmentView(rows: RequestStore, h: number): AssignmentView | undefined {
  if (!rows.hasAssignment(h)) return undefined;
  return {
    request: requestView(rows, h),
    quote: rows.quotes[h]!,
    pm: rows.pms[h]!,
    seq: rows.seq(h),
    deadline: rows.deadline(h),
    capacityHeld: rows.capacityHeld(h),
    anchored: rows.anchored(h),
    collateral: rows.collaterals[h]!,
  };
}

/** Known requests by id, as copies. */
export class KnownRequests {
  constructor(
    private readonly ids: IdTable<Hex32, number>,
    private readonly rows: RequestStore,
  ) {}

  get size(): number {
    return this.ids.size;
  }

  has(id: Hex32): boolean {
    return this.ids.has(id);
  }

  get(id: Hex32): RequestView | undefined {
    const h = this.ids.get(id);
    return h === undefined ? undefined : requestView(this.rows, h);
  }

  *keys(): IterableIterator<Hex32> {
    yield* this.ids.keys();
  }

  *values(): IterableIterator<RequestView> {
    for (const h of this.ids.values()) yield requestView(this.rows, h);
  }
}

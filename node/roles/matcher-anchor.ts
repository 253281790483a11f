/**
 * Anchoring (DESIGN §3.6): the leader submits the log's assignments on-chain in batches signed with
 * its enclave key for its term. One bad item reverts the whole batch, so the batch is dry-run first
 * (gas estimation runs it and surfaces the contract's coded error) and items the error names are
 * dropped before re-signing. A stale term or an expired lease is not an item's fault: the caller
 * steps down.
 */
import {
  assignmentBatchDigest,
  type BatchEntry,
  buildAssignmentBatch,
  ChainError,
  type MarketplaceClient,
  type SignedAssignmentBatch,
} from "../../chain/index.js";
import { type Assignment, type Domain, type Hex32, type Signature, toHex } from "../../protocol/index.js";
import type { Enclave } from "../tee/enclave.js";
import type { MatcherLog } from "./matcher-log.js";

/** Codes that mean "you are not the leader any more", not "this item is bad". */
export const FENCED_CODES: ReadonlySet<string> = new Set(["STALE_TERM", "LEASE_EXPIRED", "LEASE_NOT_HELD"]);

/** What anchoring needs. */
export interface AnchorComponents {
  marketplace: MarketplaceClient;
  enclave: Enclave;
  log: MatcherLog;
  marketDomain: Domain;
  registryDomain: Domain;
  /** Told of each assignment dropped because the chain refused it (with the contract's code). */
  onDrop?: (a: Assignment, code: string, message: string) => void;
  /** Told of each anchoring transaction. */
  onAnchored?: (r: Extract<AnchorResult, { kind: "anchored" }>) => void;
}

/** How an anchoring round ended. */
export type AnchorResult =
  | { kind: "anchored"; tx: string; count: number; requestIds: Hex32[] }
  | { kind: "nothing" }
  | { kind: "fenced"; code: string; message: string }
  | { kind: "failed"; code: string; message: string };

/** Largest number of assignments per anchoring transaction. Default: well under a block's gas. */
export const MAX_ANCHOR_ITEMS = 50;

/** Anchor up to `max` unanchored assignments of the log for `term`. */
export async function anchorOnce(
  c: AnchorComponents,
  term: number,
  options: { signal?: AbortSignal; max?: number } = {},
): Promise<AnchorResult> {
  // No per-item pre-check: the dry run names every item the chain refuses (WrongStatus for one
  // already assigned), and the term is checked before any item, so a fenced leader learns it at once.
  let todo = [...c.log.unanchored.values()].slice(0, options.max ?? MAX_ANCHOR_ITEMS);
  // Each retry drops at least one item, so this ends.
  while (todo.length > 0) {
    options.signal?.throwIfAborted();
    const entries = todo.map((a) => entryOf(c, a)).filter((e): e is BatchEntry => e !== undefined);
    if (entries.length < todo.length) {
      todo = todo.filter((a) => entryOf(c, a) !== undefined);
      continue;
    }
    const batch = await sign(c, term, entries, options.signal);
    try {
      const receipt = await c.marketplace.assign(batch);
      const ids = todo.map((a) => a.requestId);
      for (const id of ids) c.log.markAnchored(id);
      return { kind: "anchored", tx: receipt.hash, count: ids.length, requestIds: ids };
    } catch (err) {
      if (!(err instanceof ChainError)) throw err;
      if (FENCED_CODES.has(err.code)) return { kind: "fenced", code: err.code, message: err.message };
      const bad = todo.filter((a) => names(err, a, c.log.requests.get(a.requestId)?.request.requester));
      if (bad.length === 0) return { kind: "failed", code: err.code, message: err.message };
      // The contract names the item it refused: drop it for good (it can never be anchored as is).
      for (const a of bad) {
        c.log.unanchored.delete(a.requestId);
        c.onDrop?.(a, err.code, err.message);
      }
      todo = todo.filter((a) => !bad.includes(a));
    }
  }
  return { kind: "nothing" };
}

function entryOf(c: AnchorComponents, a: Assignment): BatchEntry | undefined {
  const request = c.log.requests.get(a.requestId);
  const quote = c.log.quotes.get(a.quoteId);
  if (!request || !quote) {
    c.log.unanchored.delete(a.requestId);
    return undefined;
  }
  return { request, quote };
}

async function sign(
  c: AnchorComponents,
  term: number,
  entries: BatchEntry[],
  signal?: AbortSignal,
): Promise<SignedAssignmentBatch> {
  const unsigned = buildAssignmentBatch(c.marketDomain, entries);
  const digest = assignmentBatchDigest(c.registryDomain, term, unsigned.assignmentsHash);
  const sig = toHex(await c.enclave.sign(digest, { signal })) as Signature;
  return { ...unsigned, term, leaderSignature: sig };
}

/** Whether a revert's arguments name this assignment (its request, quote, prover or requester). */
function names(err: ChainError, a: Assignment, requester?: string): boolean {
  const wanted = [a.requestId, a.quoteId, a.prover, requester ?? a.requestId].map((x) => x.toLowerCase());
  return err.args.some((v) => typeof v === "string" && wanted.includes(v.toLowerCase()));
}

/**
 * Anchor rounds until nothing is left, `stillLeader()` turns false, or a round fails or is fenced
 * (returned: the caller steps down on "fenced"). An unexpected error is a "failed" round.
 */
export async function anchorAll(
  c: AnchorComponents,
  term: number,
  stillLeader: () => boolean,
  options: { signal?: AbortSignal } = {},
): Promise<AnchorResult> {
  while (c.log.unanchored.size > 0 && stillLeader()) {
    const r = await anchorOnce(c, term, options).catch(
      (err): AnchorResult => ({ kind: "failed", code: "ERROR", message: String(err) }),
    );
    if (r.kind !== "anchored") return r;
    c.onAnchored?.(r);
  }
  return { kind: "nothing" };
}

/** Wait before another anchoring round after one failed. */
const ANCHOR_RETRY_MS = 1000;

/** What drives a matcher's anchoring. */
export interface AnchoringParts {
  log: MatcherLog;
  /** What a round needs, read as it starts (the domains from the node's context then). */
  components(): AnchorComponents;
  /** The lease as the matcher sees it now. */
  lease(): { role: string; term: number };
  /** Whether the matcher runs (not stopped, not paused): a retry waits for that. */
  awake(): boolean;
  /** A round ended failed or fenced, in `term`. */
  onFailure(r: Extract<AnchorResult, { kind: "failed" | "fenced" }>, term: number): void;
}

/**
 * A matcher's anchoring: rounds one at a time (never two in flight), woken by new assignments.
 * A failed round (an RPC error, a revert naming no item) is tried again after ANCHOR_RETRY_MS: the
 * assignments left would otherwise wait for the next batch to wake anchoring, which after the last
 * request never comes.
 */
export class Anchoring {
  private running: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly p: AnchoringParts) {}

  /** The round in flight, if any, done. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Start a round if there is something to anchor, we lead, and none is in flight. */
  wake(): void {
    if (this.running || this.p.log.unanchored.size === 0 || this.p.lease().role !== "leader") return;
    this.running = this.round().finally(() => {
      this.running = undefined;
    });
  }

  /** Drop a pending retry (the matcher stops or pauses). */
  cancelRetry(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  private async round(): Promise<void> {
    const term = this.p.lease().term;
    const r = await anchorAll(this.p.components(), term, () => this.p.lease().role === "leader");
    if (r.kind !== "failed" && r.kind !== "fenced") return;
    this.p.onFailure(r, term);
    if (r.kind === "failed" && this.p.awake() && !this.retry)
      this.retry = setTimeout(() => {
        this.retry = undefined;
        if (this.p.awake()) this.wake();
      }, ANCHOR_RETRY_MS);
  }
}

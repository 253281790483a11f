/**
 * Chain facts as log events (DESIGN §3.4): markets, prover collateral, anchored assignments, proofs
 * and slashes enter the log with the block they come from, so matching stays a pure function of
 * the log. Every matcher turns the same chain events into the same log events; the leader
 * sequences them, the others hold them so a new leader has them.
 */
import type { InterfaceAbi, Provider } from "ethers";
import {
  type ChainEvent,
  ChainEventReader,
  type EventReaderInit,
  type MarketplaceClient,
  MemoryCursorStore,
} from "../../chain/index.js";
import type { Address, Hex32, LogEvent } from "../../protocol/index.js";
import type { Logger } from "../logger.js";

/** Registers a handler for a chain event by name (a ChainWatcher's `on`, or a facts reader's). */
export type OnChainEvent = (name: string, handler: (e: ChainEvent) => void | Promise<void>) => void;

/** Marketplace events that become log events. */
export const CHAIN_FACT_EVENTS = [
  "MarketCreated",
  "CollateralDeposited",
  "CollateralWithdrawalRequested",
  "CollateralWithdrawn",
  "RequestAssigned",
  "RequestFulfilled",
  "RequestSlashed",
] as const;

/** What the chain facts need: where events come from, the marketplace to read collateral from. */
export interface ChainFactsComponents {
  on: OnChainEvent;
  marketplace: MarketplaceClient;
}

/**
 * A stable key for a log event: the same fact or signed message gives the same key on every
 * matcher, so a pending event is dropped once a batch holds it, whoever sequenced it.
 */
export function factKey(
  e: LogEvent,
  ids: { request: (e: LogEvent) => Hex32; quote: (e: LogEvent) => Hex32 },
): string {
  switch (e.kind) {
    case "request":
      return `request:${ids.request(e)}`;
    case "quote":
      return `quote:${ids.quote(e)}`;
    case "cancel":
      return `cancel:${e.signed.cancel.requestId}`;
    case "market":
      return `market:${e.marketId}`;
    case "collateral":
      // Collateral is a level, not a delta: each block's reading is its own fact.
      return `collateral:${e.prover}:${e.block}:${e.total}`;
    case "anchored":
    case "proven":
    case "slashed":
      return `${e.kind}:${e.requestId}`;
  }
}

/**
 * Listen to the chain watcher and hand every fact to `onFact`, in chain order. Register before the
 * watcher starts (KalypsoNode `chain.autoStart: false`) so no event is missed.
 */
export function watchChainFacts(c: ChainFactsComponents, onFact: (e: LogEvent) => void): void {
  c.on("MarketCreated", (e) =>
    onFact({
      kind: "market",
      marketId: Number(e.args.marketId),
      collateralPerRequest: e.args.collateralPerRequest as bigint,
      minProvingTime: Number(e.args.minProvingTime),
      maxProvingTime: Number(e.args.maxProvingTime),
      requiresTee: Boolean(e.args.requiresTee),
      block: e.blockNumber,
    }),
  );
  const collateral = async (e: ChainEvent) => {
    const prover = (e.args.prover as string).toLowerCase() as Address;
    // The level now, not at the event's block: a later reading only makes the log more current.
    const held = await c.marketplace.collateralOf(prover);
    onFact({ kind: "collateral", prover, total: held.free + held.locked, block: e.blockNumber });
  };
  for (const name of ["CollateralDeposited", "CollateralWithdrawalRequested", "CollateralWithdrawn"])
    c.on(name, collateral);
  const byRequest = (kind: "anchored" | "proven" | "slashed") => (e: ChainEvent) =>
    onFact({ kind, requestId: e.args.requestId as Hex32, block: e.blockNumber });
  c.on("RequestAssigned", byRequest("anchored"));
  c.on("RequestFulfilled", byRequest("proven"));
  c.on("RequestSlashed", byRequest("slashed"));
}

/** Where a matcher reads chain facts from when it keeps its own place (see `startFactsReader`). */
export interface FactsReaderInit extends EventReaderInit {
  /** The contracts to follow (marketplace and registry), labelled, with their ABIs. */
  contracts: readonly { label: string; address: string; abi: InterfaceAbi }[];
}

/**
 * A chain event reader of the matcher's own, resuming at `resumeBlock` (the last block whose facts
 * the log holds) rather than at the node's cursor: facts pooled but not sequenced when a matcher
 * stopped are read again, and the log's keys drop those it already holds.
 */
export function startFactsReader(
  c: { provider: Provider; logger: Logger },
  init: FactsReaderInit,
  resumeBlock: number | undefined,
): { on: OnChainEvent; stop: () => Promise<void> } {
  const { contracts, ...readerInit } = init;
  const handlers = new Map<string, ((e: ChainEvent) => void | Promise<void>)[]>();
  const reader = new ChainEventReader(
    {
      provider: c.provider,
      // The cursor is the last block read: one before the block to read again.
      cursor: new MemoryCursorStore(resumeBlock === undefined ? undefined : resumeBlock - 1),
      contracts,
      // Registered below, before the first poll gets past its first await.
      events: () => handlers,
    },
    readerInit,
  );
  reader.start(
    async (events) => {
      for (const e of events) for (const h of handlers.get(e.name) ?? []) await h(e);
    },
    (err) => c.logger.warn({ err }, "chain facts poll failed; retrying"),
  );
  return {
    on: (name, handler) => handlers.set(name, [...(handlers.get(name) ?? []), handler]),
    stop: () => reader.stop(),
  };
}

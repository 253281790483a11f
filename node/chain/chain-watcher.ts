/**
 * Follows the deployment's contracts: reads their events with confirmations and a cursor kept in
 * the node's LevelDB, and tracks chain time (the only clock the protocol knows). Handlers are
 * registered per event name and awaited in chain order before the cursor moves.
 */
import type { Provider } from "ethers";
import { type ChainEvent, ChainEventReader, type EventReaderInit } from "../../chain/index.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { NodeStore } from "../store/node-store.js";
import { LevelCursorStore } from "./level-cursor-store.js";

export type ChainEventHandler = (event: ChainEvent) => void | Promise<void>;

export interface ChainWatcherComponents {
  provider: Provider;
  store: NodeStore;
  /** The contracts to follow, labelled. */
  contracts: readonly { label: string; address: string; abi: unknown }[];
  logger?: Logger;
}

export interface ChainWatcherInit extends EventReaderInit {
  /** Name of the cursor in the store. Default "contracts". */
  cursorName?: string;
}

export class ChainWatcher {
  private readonly reader: ChainEventReader;
  private readonly handlers = new Map<string, ChainEventHandler[]>();
  private readonly log: Logger;
  private clock: { chainS: number; wallMs: number } | undefined;
  private clockTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly components: ChainWatcherComponents,
    init: ChainWatcherInit = {},
  ) {
    this.log = components.logger ?? silentLogger;
    this.reader = new ChainEventReader(
      {
        provider: components.provider,
        cursor: new LevelCursorStore(components.store, init.cursorName ?? "contracts"),
        contracts: components.contracts as never,
        events: () => this.handlers,
      },
      init,
    );
  }

  /** Call `handler` for every event named `name`, in chain order. */
  on(name: string, handler: ChainEventHandler): void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler);
    this.handlers.set(name, list);
  }

  /** Read every confirmed event after the cursor once. Returns the new cursor. */
  async poll(options: { signal?: AbortSignal } = {}): Promise<number> {
    await this.refreshClock();
    return this.reader.poll((events) => this.dispatch(events), options);
  }

  /** Follow the chain until `stop()`. */
  async start(): Promise<void> {
    await this.refreshClock();
    this.clockTimer = setInterval(() => void this.refreshClock().catch(() => {}), 1000);
    this.clockTimer.unref();
    this.reader.start(
      (events) => this.dispatch(events),
      (err) => this.log.warn({ err }, "chain poll failed; retrying"),
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.clockTimer);
    this.clockTimer = undefined;
    await this.reader.stop();
  }

  /**
   * Chain time in seconds: the latest block's timestamp, advanced by the wall time since it was
   * read, so a node's clock does not stand still between blocks.
   */
  now(): number {
    if (!this.clock) return Math.floor(Date.now() / 1000);
    return this.clock.chainS + Math.floor((Date.now() - this.clock.wallMs) / 1000);
  }

  private async refreshClock(): Promise<void> {
    const block = await this.components.provider.getBlock("latest");
    if (block) this.clock = { chainS: block.timestamp, wallMs: Date.now() };
  }

  private async dispatch(events: ChainEvent[]): Promise<void> {
    for (const e of events) {
      for (const h of this.handlers.get(e.name) ?? []) await h(e);
    }
  }
}

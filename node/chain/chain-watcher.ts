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

/** Only the events whose topic `topic` (1..3: an indexed argument, 32 bytes hex) is `is`. */
export interface TopicMatch {
  topic: number;
  is: string;
}

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

/** Whether a log's raw topics match a handler's `where` (none: every log does). `is` is lowercase. */
function topicsMatch(where: TopicMatch | undefined, topics: readonly string[]): boolean {
  return !where || topics[where.topic]?.toLowerCase() === where.is;
}

export class ChainWatcher {
  private readonly reader: ChainEventReader;
  private readonly handlers = new Map<string, { handle: ChainEventHandler; where?: TopicMatch }[]>();
  /** What the reader fetches and decodes: the events some handler takes. */
  private readonly interest = {
    has: (name: string) => this.handlers.has(name),
    wants: (name: string, topics: readonly string[]) =>
      (this.handlers.get(name) ?? []).some((h) => topicsMatch(h.where, topics)),
  };
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
        events: () => this.interest,
      },
      init,
    );
  }

  /**
   * Call `handler` for every event named `name` (only those matching `where`, when given), in chain
   * order. Events no handler takes are neither fetched nor decoded.
   */
  on(name: string, handler: ChainEventHandler, where?: TopicMatch): void {
    const list = this.handlers.get(name) ?? [];
    // Hex compared lowercased: stored so once, the raw topics lowercased as they are read.
    list.push({ handle: handler, where: where && { topic: where.topic, is: where.is.toLowerCase() } });
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
      for (const h of this.handlers.get(e.name) ?? []) if (topicsMatch(h.where, e.topics)) await h.handle(e);
    }
  }
}

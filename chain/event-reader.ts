/**
 * Reads our contracts' events with confirmations and a persisted cursor. Only blocks at least
 * `confirmations` deep are read, in ranges; each range's events go to the handler in chain order,
 * and the cursor is saved after the handler returns. A restart resumes after the saved cursor:
 * delivery is at-least-once (a crash between handling and saving repeats that range), so handlers
 * key what they store by (transactionHash, logIndex).
 */
import { type EventFragment, Interface, type InterfaceAbi, type Log, type Provider } from "ethers";
import type { CursorStore } from "./cursor-store.js";
import { ChainError } from "./errors.js";

/** One decoded event. */
export interface ChainEvent {
  /** Which of the reader's contracts emitted it (the label given). */
  contract: string;
  name: string;
  /** Decoded arguments by name. */
  args: Record<string, unknown>;
  /** The log's raw topics: the event's hash, then its indexed arguments (32 bytes hex each). */
  topics: readonly string[];
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
}

/** What the reader needs. */
export interface EventReaderComponents {
  provider: Provider;
  cursor: CursorStore;
  contracts: readonly { label: string; address: string; abi: InterfaceAbi }[];
  /**
   * Names of the events wanted, asked at each poll; the others are neither fetched nor decoded.
   * Every event when absent. A node has handlers for a few events (a prover: its assignments and new
   * markets), while the chain carries every request, proof and deposit: decoding each with ethers on
   * every node was a tenth of a loaded 100-node sim.
   */
  events?: () => EventInterest;
}

/** Which events a reader's user wants: by name, and optionally by their raw topics. */
export interface EventInterest {
  has(name: string): boolean;
  /**
   * Whether this log of a wanted event is wanted, by its topics (indexed arguments), before it is
   * decoded: a prover wants the assignments made to it, not every assignment on the network.
   */
  wants?(name: string, topics: readonly string[]): boolean;
}

/** Reader options; every field optional. */
export interface EventReaderInit {
  /** Blocks a log must be buried under before it is read. Default 2 (a dev chain may use 0). */
  confirmations?: number;
  /** First block to read when no cursor is saved. Default 0; pass the deployment block. */
  fromBlock?: number;
  /** Largest block range per getLogs call: public RPCs cap it. Default 2,000. */
  maxBlockRange?: number;
  /** How often `start` polls. Default 1,000 ms. */
  pollIntervalMs?: number;
}

/** Handles one range's events; resolve only once they are stored. */
export type EventHandler = (events: ChainEvent[], toBlock: number) => Promise<void>;

/** The event reader: `poll()` once, or `start(handler)` / `stop()` to follow the chain. */
export class ChainEventReader {
  private readonly byAddress = new Map<
    string,
    { label: string; iface: Interface; events: Map<string, EventFragment> }
  >();
  private readonly confirmations: number;
  private readonly fromBlock: number;
  private readonly maxRange: number;
  private readonly pollIntervalMs: number;
  private loop: { controller: AbortController; done: Promise<void> } | undefined;

  constructor(
    private readonly components: EventReaderComponents,
    init: EventReaderInit = {},
  ) {
    for (const c of components.contracts) {
      const iface = new Interface(c.abi);
      // By topic hash, computed once: ethers' parseLog hashes every event signature for every log.
      const events = new Map<string, EventFragment>();
      iface.forEachEvent((e) => {
        if (!e.anonymous) events.set(e.topicHash, e);
      });
      this.byAddress.set(c.address.toLowerCase(), { label: c.label, iface, events });
    }
    this.confirmations = init.confirmations ?? 2;
    this.fromBlock = init.fromBlock ?? 0;
    this.maxRange = init.maxBlockRange ?? 2000;
    this.pollIntervalMs = init.pollIntervalMs ?? 1000;
  }

  /** Read every confirmed block after the cursor, range by range; returns the new cursor. */
  async poll(handler: EventHandler, options: { signal?: AbortSignal } = {}): Promise<number> {
    const { provider, cursor } = this.components;
    const saved = await cursor.load();
    let from = saved === undefined ? this.fromBlock : saved + 1;
    const safeHead = (await provider.getBlockNumber()) - this.confirmations;
    let last = from - 1;
    while (from <= safeHead) {
      options.signal?.throwIfAborted();
      const to = Math.min(safeHead, from + this.maxRange - 1);
      const interest = this.components.events?.();
      const topics = interest && this.wantedTopics(interest);
      let logs: Log[];
      try {
        logs =
          topics?.length === 0
            ? []
            : await provider.getLogs({
                address: [...this.byAddress.keys()],
                fromBlock: from,
                toBlock: to,
                ...(topics ? { topics: [topics] } : {}),
              });
      } catch (e) {
        throw new ChainError("EVENT_READER_FAILED", `getLogs ${from}..${to} failed: ${String(e)}`, {
          cause: e,
        });
      }
      const events = logs
        .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
        .flatMap((log) => this.decode(log, interest));
      await handler(events, to);
      await cursor.save(to);
      last = to;
      from = to + 1;
    }
    return last;
  }

  /** Topic hashes of the wanted events (any of them in first position). */
  private wantedTopics(interest: EventInterest): string[] {
    const topics = new Set<string>();
    for (const c of this.byAddress.values())
      for (const [topic, e] of c.events) if (interest.has(e.name)) topics.add(topic);
    return [...topics];
  }

  private decode(log: Log, interest?: EventInterest): ChainEvent[] {
    const c = this.byAddress.get(log.address.toLowerCase());
    const fragment = c?.events.get(log.topics[0] ?? "");
    if (!c || !fragment) return [];
    if (interest?.wants && !interest.wants(fragment.name, log.topics)) return [];
    const decoded = c.iface.decodeEventLog(fragment, log.data, log.topics);
    const args: Record<string, unknown> = {};
    fragment.inputs.forEach((input, i) => {
      args[input.name] = decoded[i];
    });
    return [
      {
        contract: c.label,
        name: fragment.name,
        args,
        topics: log.topics,
        blockNumber: log.blockNumber,
        logIndex: log.index,
        transactionHash: log.transactionHash,
      },
    ];
  }

  /** Poll every `pollIntervalMs` until `stop()`; errors go to `onError` and the next poll retries. */
  start(handler: EventHandler, onError: (e: unknown) => void = () => {}): void {
    if (this.loop) return;
    const controller = new AbortController();
    const run = async () => {
      while (!controller.signal.aborted) {
        try {
          await this.poll(handler, { signal: controller.signal });
        } catch (e) {
          if (!controller.signal.aborted) onError(e);
        }
        await new Promise<void>((resolve) => {
          const onAbort = () => {
            clearTimeout(t);
            resolve();
          };
          // Removed after each wait: one listener per poll would pile up on the long-lived signal.
          const t = setTimeout(() => {
            controller.signal.removeEventListener("abort", onAbort);
            resolve();
          }, this.pollIntervalMs);
          controller.signal.addEventListener("abort", onAbort, { once: true });
        });
      }
    };
    this.loop = { controller, done: run() };
  }

  /** Stop following; resolves when the current poll has finished. Idempotent. */
  async stop(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    if (!loop) return;
    loop.controller.abort();
    await loop.done;
  }
}

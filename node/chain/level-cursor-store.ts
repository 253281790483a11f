/**
 * An event reader's cursor kept in the node's LevelDB, under a name per reader. The reader that
 * owns the name is its only writer, so the value is read from disk once and then kept in memory:
 * a reader polls every 100 ms on a dev chain, and a LevelDB read per poll per node added up.
 */
import type { CursorStore } from "../../chain/index.js";
import type { NodeStore } from "../store/node-store.js";

export class LevelCursorStore implements CursorStore {
  private cached: { block: number | undefined } | undefined;

  constructor(
    private readonly store: NodeStore,
    private readonly name: string,
  ) {}

  async load(): Promise<number | undefined> {
    this.cached ??= { block: await this.store.getCursor(this.name) };
    return this.cached.block;
  }

  async save(block: number): Promise<void> {
    await this.store.setCursor(this.name, block);
    this.cached = { block };
  }
}

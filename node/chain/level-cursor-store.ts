/** An event reader's cursor kept in the node's LevelDB, under a name per reader. */
import type { CursorStore } from "../../chain/index.js";
import type { NodeStore } from "../store/node-store.js";

export class LevelCursorStore implements CursorStore {
  constructor(
    private readonly store: NodeStore,
    private readonly name: string,
  ) {}

  load(): Promise<number | undefined> {
    return this.store.getCursor(this.name);
  }

  save(block: number): Promise<void> {
    return this.store.setCursor(this.name, block);
  }
}

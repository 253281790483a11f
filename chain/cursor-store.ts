/**
 * Where an event reader keeps its cursor: the last block whose events were all handled. A tiny
 * interface, so a node can keep it in its LevelDB; a file and an in-memory store are here.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Loads and saves one block number. */
export interface CursorStore {
  /** The saved cursor, or undefined when nothing was saved yet. */
  load(): Promise<number | undefined>;
  /** Save the cursor durably before resolving. */
  save(block: number): Promise<void>;
}

/** A cursor in memory: for tests, and readers that need not survive a restart. */
export class MemoryCursorStore implements CursorStore {
  private block: number | undefined;
  constructor(initial?: number) {
    this.block = initial;
  }
  async load(): Promise<number | undefined> {
    return this.block;
  }
  async save(block: number): Promise<void> {
    this.block = block;
  }
}

/** A cursor in a small JSON file, replaced atomically (write then rename): a crash never leaves half a file. */
export class FileCursorStore implements CursorStore {
  constructor(private readonly path: string) {}

  async load(): Promise<number | undefined> {
    try {
      const { block } = JSON.parse(readFileSync(this.path, "utf8")) as { block: number };
      return block;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }

  async save(block: number): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ block }));
    renameSync(tmp, this.path);
  }
}

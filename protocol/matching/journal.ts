/**
 * Undo log for one batch. A follower applies a batch before it knows whether the batch is valid;
 * when it is not, every mutation is undone in reverse order and the state is exactly what it was,
 * without copying the state up front (which would cost O(state) per batch).
 */
export class Journal {
  private readonly undo: (() => void)[] = [];

  /** Record how to undo the mutation just made. */
  push(fn: () => void): void {
    this.undo.push(fn);
  }

  /** Undo everything recorded, newest first. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!();
    this.undo.length = 0;
  }
}

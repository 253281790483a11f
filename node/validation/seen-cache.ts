/**
 * A bounded set of recently seen message ids: dedupe beyond gossipsub's own (which keys on the
 * payload hash, so the same signed request with different inline bytes would pass it twice).
 */
export class SeenCache {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 100_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    // A Set iterates in insertion order: the first entry is the oldest.
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }

  get size(): number {
    return this.ids.size;
  }
}

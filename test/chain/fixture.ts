/** The chain tests' world: the dev system with the idle miner off (tests mine explicitly). */
import { type DevSystem, startDevSystem } from "../../chain/dev-system.js";

export * from "../../chain/dev-system.js";
export type World = DevSystem;

/** One anvil per test file: call in `before`, stop in `after`. */
export function setupWorld(): Promise<World> {
  return startDevSystem({ idleMineIntervalMs: 0 });
}

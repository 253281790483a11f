/** One case per custom error: how to provoke it. reverts.test.ts runs each in a fresh snapshot. */
import type { CONTRACT_ERROR_CODES } from "../../chain/index.js";

/** A way to make a contract revert with `error`. */
export interface RevertCase<W> {
  error: keyof typeof CONTRACT_ERROR_CODES;
  name: string;
  run: (w: W) => Promise<unknown>;
}

/**
 * The young generation a matcher runs with. Matching keeps what each request and quote brings in
 * (ids, prices) beyond the young generation, and with V8's default semi-spaces (16 MB) a scavenge
 * came every few thousand events and copied them: with 64 MB semi-spaces the matching bench's
 * passes ran ~20 % faster (events/s over the whole run, `npm run bench -- matching`). The simulator
 * runs its nodes with the same size (sim/sim-heap.ts). V8 reads the size only at startup: a matcher
 * is started with `NODE_OPTIONS=--max-semi-space-size=64`, and says so when it was not.
 */
export const SEMI_SPACE_FLAG = "--max-semi-space-size=64";

/** Does this process run with a semi-space size of its own (command line or NODE_OPTIONS)? */
export function hasSemiSpaceFlag(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  return flags.some((f) => f.startsWith("--max-semi-space-size"));
}

/**
 * The simulator's young generation. A sim runs up to hundreds of nodes in one process, and each
 * message every node receives allocates a little (decryption, frames, decoding): with V8's default
 * semi-spaces (16 MB) the scavenger ran all the time. At 100 nodes, 64 MB semi-spaces took the
 * assignment latency's median from ~720 ms to ~475 ms (`npm run bench -- sim 100`, runs of each).
 * V8 reads the size only at startup, so a sim started without it runs itself again with it.
 */
import { spawn } from "node:child_process";
import { hasSemiSpaceFlag, SEMI_SPACE_FLAG } from "../node/young-generation.js";

/**
 * Unless this process already runs with a semi-space size, run this same command again in a child
 * with the sim's, and resolve with the child's exit code; undefined means: go on here.
 */
export async function rerunWithSimHeap(): Promise<number | undefined> {
  if (hasSemiSpaceFlag()) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${SEMI_SPACE_FLAG}`.trim() },
  });
  // Ctrl-C reaches the child from the terminal itself; this process waits for it to clean up.
  const onInt = () => {};
  const onTerm = () => child.kill("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}

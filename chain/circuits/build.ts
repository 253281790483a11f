/**
 * `npm run circuits:build [-- --ptau | --check]`: rebuilds every circuit artifact from source into
 * the committed folders (see rebuild.ts and chain/circuits/README.md).
 *   --ptau   also regenerates the dev powers of tau first (slow: about 20 s at 2^10)
 *   --check  rebuilds into build/check/ instead and fails if any file differs from the committed one
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { artifactsOf, CIRCUITS, COMMITTED_DIRS, PTAU_FILE } from "./circuits.js";
import { BUILD_DIR, generatePtau, rebuildCircuits } from "./rebuild.js";

const log = (msg: string) => console.log(`[circuits] ${msg}`);

async function check(): Promise<boolean> {
  const out = {
    artifacts: join(BUILD_DIR, "check", "artifacts"),
    verifiers: join(BUILD_DIR, "check", "verifiers"),
  };
  await rm(join(BUILD_DIR, "check"), { recursive: true, force: true });
  await rebuildCircuits({ out, buildDir: join(BUILD_DIR, "check", "scratch"), ptau: PTAU_FILE });
  let same = true;
  for (const c of CIRCUITS) {
    for (const scheme of c.schemes) {
      const fresh = artifactsOf(c, scheme, out);
      const committed = artifactsOf(c, scheme);
      for (const k of ["wasm", "zkey", "vkey", "verifierSol", "wrapperSol"] as const) {
        const equal = (await readFile(fresh[k])).equals(await readFile(committed[k]));
        if (!equal) log(`DIFFERS: ${committed[k]}`);
        same &&= equal;
      }
    }
  }
  log(same ? "rebuild reproduces every committed artifact byte for byte" : "rebuild differs from the commit");
  return same;
}

try {
  if (process.argv.includes("--check")) {
    process.exitCode = (await check()) ? 0 : 1;
  } else {
    if (process.argv.includes("--ptau")) {
      log("powers of tau (slow: prepare phase2)");
      await generatePtau(join(BUILD_DIR, "scratch"));
    }
    await rebuildCircuits({
      out: COMMITTED_DIRS,
      buildDir: join(BUILD_DIR, "scratch"),
      ptau: PTAU_FILE,
      log,
    });
  }
} finally {
  // snarkjs keeps its curve's worker threads alive otherwise (STACK.md pitfall 8).
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
}

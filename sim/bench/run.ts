/**
 * `npm run bench -- <suite> [args]`: runs `sim/bench/<suite>.ts` and prints one JSON object per
 * metric per line, each with the machine it was measured on.
 */
import "../../node/polyfill.js";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Metric, machine, type Suite } from "./metric.js";

const here = dirname(fileURLToPath(import.meta.url));
const suites = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !["run.ts", "metric.ts"].includes(f))
  .map((f) => f.slice(0, -3));

const [suite, ...args] = process.argv.slice(2);
if (!suite || suite === "--help" || suite === "-h") {
  console.log(`usage: npm run bench -- <suite> [args]\nsuites: ${suites.join(", ")}`);
  process.exit(suite ? 0 : 2);
}
const file = join(here, `${suite}.ts`);
if (!existsSync(file)) {
  console.error(`unknown benchmark suite "${suite}"; suites: ${suites.join(", ")}`);
  process.exit(2);
}

const mod = (await import(pathToFileURL(file).href)) as { default: Suite };
const box = machine();
try {
  await mod.default((m: Metric) => {
    console.log(JSON.stringify({ ...m, params: { ...m.params, machine: box } }));
  }, args);
} catch (err) {
  // A bad argument (see countArg) is the caller's mistake: say which, without a stack.
  if (!(err instanceof RangeError)) throw err;
  console.error(`bench ${suite}: ${err.message}`);
  process.exit(2);
}
// Every figure is printed: end here even if a suite's network left a stuck node behind (its
// teardown reports and passes over a stop that does not finish).
process.exit(process.exitCode ?? 0);

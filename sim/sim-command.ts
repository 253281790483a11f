/** `kalypso sim`: run a scenario on a local network and write report.json + report.html (sim.ts). */
import type { Command } from "commander";
import { KalypsoError } from "../protocol/index.js";
import { SCENARIOS } from "./scenarios.js";
import { runSim } from "./sim.js";
import { rerunWithSimHeap } from "./sim-heap.js";

interface SimFlags {
  scenario: string;
  nodes: string;
  requests: string;
  out: string;
  processes?: boolean;
  shards?: string;
  logLevel: string;
}

export function registerSimCommand(program: Command): void {
  program
    .command("sim")
    .description("run a scenario on a local network of nodes and write report.json and report.html")
    .option("--scenario <name>", `one of: ${Object.keys(SCENARIOS).join(", ")}`, "steady")
    .option("--nodes <n>", "nodes in the network (bootstrap, matchers, provers, requesters, attackers)", "10")
    .option("--requests <n>", "requests the scenario submits", "20")
    .option("--out <dir>", "where report.json and report.html go", "sim-out")
    .option(
      "--processes",
      "one process per node: bootstrap, matchers and provers each in their own (a crash is a real process exit); requesters and attackers stay in the controller",
    )
    .option(
      "--shards <k>",
      "provers dealt over k node processes, bootstrap and matchers in one more (use every core without a process per node); requesters and attackers stay in the controller",
    )
    .option("--log-level <level>", "pino level of the nodes' logs (to stderr)", "silent")
    .action(async (flags: SimFlags) => {
      const rerun = await rerunWithSimHeap();
      if (rerun !== undefined) {
        process.exitCode = rerun;
        return;
      }
      const nodes = Number(flags.nodes);
      const requests = Number(flags.requests);
      const shards = flags.shards === undefined ? undefined : Number(flags.shards);
      if (!Number.isSafeInteger(nodes) || !Number.isSafeInteger(requests) || nodes < 1 || requests < 1) {
        console.error("error CONFIG_INVALID: --nodes and --requests must be positive integers");
        process.exit(2);
      }
      try {
        const r = await runSim({
          scenario: flags.scenario,
          nodes,
          requests,
          out: flags.out,
          processes: flags.processes,
          shards,
          logLevel: flags.logLevel,
        });
        const q = r.requests;
        console.log(
          `sim ${r.scenario}: ${q.submitted} submitted, ${q.settled} settled, ${q.slashed} slashed, ` +
            `${q.lost} lost, ${q.assigned_twice} assigned twice; money ${r.money.conserved ? "conserved" : "NOT conserved"}` +
            `${r.failover_ms === undefined ? "" : `; failover ${r.failover_ms} ms`}; report in ${flags.out}`,
        );
        process.exitCode = q.lost === 0 && q.assigned_twice === 0 && r.money.conserved ? 0 : 1;
        // The report is written: a node whose stop hung (reported by the teardown) must not keep us.
        process.exit(process.exitCode);
      } catch (err) {
        if (err instanceof KalypsoError) {
          console.error(`error ${err.code}: ${err.message}`);
          process.exit(2);
        }
        throw err;
      }
    });
}

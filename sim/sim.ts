/**
 * `kalypso sim`: build a network for a scenario (every node in this process, one process per node,
 * or the nodes spread over a few processes), drive it, read the outcome back from the chain, and write report.json and report.html
 * into the output directory.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../node/logger.js";
import { auditChain } from "./chain-audit.js";
import { startLocalNetwork } from "./local-network.js";
import { SimError } from "./poll.js";
import { startProcessNetwork } from "./process/process-network.js";
import { SimRecorder } from "./recorder.js";
import { buildReport, type SimReport } from "./report.js";
import { renderReportHtml } from "./report-html.js";
import { SCENARIOS } from "./scenarios.js";

export interface SimOptions {
  scenario: string;
  nodes: number;
  /** Requests the scenario submits. */
  requests: number;
  out: string;
  /** One process per node (bootstrap, matchers, provers); requesters and attackers stay in this one. */
  processes?: boolean;
  /** Provers over this many node processes, the bootstrap peer and matchers in one more, instead. */
  shards?: number;
  logLevel?: string;
}

/** Run one scenario; resolves with the report it wrote to `out`. */
export async function runSim(opts: SimOptions): Promise<SimReport> {
  const scenario = SCENARIOS[opts.scenario];
  if (!scenario)
    throw new SimError(
      "SIM_UNKNOWN_SCENARIO",
      `sim: no scenario "${opts.scenario}"; known: ${Object.keys(SCENARIOS).join(", ")}`,
    );
  const shape = scenario.shape(opts.nodes);
  const logger = createLogger({ level: opts.logLevel ?? "silent", name: "sim" });
  const dir = await mkdtemp(join(tmpdir(), "kalypso-sim-"));
  try {
    if (opts.processes && opts.shards !== undefined)
      throw new SimError("SIM_BAD_OPTIONS", "sim: --processes and --shards exclude each other; pick one");
    if (opts.shards !== undefined && !(Number.isSafeInteger(opts.shards) && opts.shards >= 1))
      throw new SimError("SIM_BAD_OPTIONS", `sim: --shards must be a positive integer, not ${opts.shards}`);
    const start = opts.processes || opts.shards !== undefined ? startProcessNetwork : startLocalNetwork;
    const net = await start({ ...shape, dir, logger, logLevel: opts.logLevel, shards: opts.shards });
    try {
      const rec = new SimRecorder(net);
      rec.start();
      const result = await scenario.run({ net, rec, requests: opts.requests });
      await rec.stop();
      const audit = await auditChain(net);
      const report = buildReport(opts.scenario, opts.nodes, net.mode, audit, rec, result);
      await mkdir(opts.out, { recursive: true });
      await writeFile(join(opts.out, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
      await writeFile(join(opts.out, "report.html"), renderReportHtml(report));
      return report;
    } finally {
      await net.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

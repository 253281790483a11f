/** `kalypso devnet`: the whole network on this machine, one command (see devnet.ts). */
import { setMaxListeners } from "node:events";
import type { Command } from "commander";
import { DEFAULT_DEVNET_OPTIONS, runDevnet } from "./devnet.js";

interface DevnetFlags {
  requests?: string;
  exit?: boolean;
  json?: boolean;
  matchers: string;
  provers: string;
  interval: string;
  logLevel: string;
}

function count(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) {
    console.error(
      `error CONFIG_INVALID: --${flag} must be an integer >= ${min}, got ${JSON.stringify(value)}`,
    );
    process.exit(2);
  }
  return n;
}

export function registerDevnetCommand(program: Command): void {
  program
    .command("devnet")
    .description(
      "run a local network: dev chain, bootstrap peer, matchers (emulated TEE), provers and a requester, with real Groth16 proofs verified on-chain",
    )
    .option("--requests <n>", "requests to submit (default: keep submitting until Ctrl-C)")
    .option("--exit", "stop once the requests are settled and print a summary")
    .option("--json", "make the last line of output the summary as one JSON object")
    .option("--matchers <n>", "matcher nodes", String(DEFAULT_DEVNET_OPTIONS.matchers))
    .option(
      "--provers <n>",
      "prover nodes, each with its own price and speed",
      String(DEFAULT_DEVNET_OPTIONS.provers),
    )
    .option("--interval <s>", "seconds between requests", String(DEFAULT_DEVNET_OPTIONS.intervalS))
    .option(
      "--log-level <level>",
      "pino level of the nodes' logs (to stderr)",
      DEFAULT_DEVNET_OPTIONS.logLevel,
    )
    .action(async (flags: DevnetFlags) => {
      const controller = new AbortController();
      // Every request in flight listens on this one signal: hundreds are normal here, not a leak.
      setMaxListeners(10_000, controller.signal);
      const stop = () => {
        console.log("devnet: stopping (Ctrl-C again to force)");
        controller.abort();
        process.once("SIGINT", () => process.exit(130));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      const requests = flags.requests === undefined ? 0 : count("requests", flags.requests, 1);
      const summary = await runDevnet(
        {
          requests,
          exit: Boolean(flags.exit) && requests > 0,
          matchers: count("matchers", flags.matchers, 1),
          provers: count("provers", flags.provers, 1),
          intervalS: Number(flags.interval),
          logLevel: flags.logLevel,
          signal: controller.signal,
        },
        (line) => console.log(line),
      );
      console.log(
        `devnet: ${summary.verified}/${summary.requests} proofs verified on-chain; ` +
          `assigned in ${summary.assign_p50_ms} ms (p50), proven in ${summary.proof_p50_ms} ms (p50); ` +
          `${summary.gas_per_request} gas per request`,
      );
      if (flags.json) console.log(JSON.stringify(summary));
      process.exitCode = summary.verified === summary.requests ? 0 : 1;
    });
}

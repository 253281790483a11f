/** The `kalypso` command tree: the composition root, the one place that may import every folder. Each command lives with what it runs and registers itself here. */
import { Command } from "commander";
import { registerBootstrapCommand } from "../bootstrap/bootstrap-command.js";
import { registerDecodeCommand } from "../node/cli/decode-command.js";
import { registerNodeCommand } from "../node/cli/node-command.js";

export function buildProgram(): Command {
  const program = new Command("kalypso")
    .description("Kalypso: a permissionless, circuit-agnostic peer-to-peer market for zero-knowledge proofs")
    .version("0.1.0")
    .showHelpAfterError();

  program
    .command("devnet")
    .description(
      "run a local devnet: dev chain, bootstrap peer, matchers, provers and a requester (not built yet)",
    )
    .action(() => {
      console.log("The devnet is not built yet: this prints the commands that exist so far.\n");
      program.outputHelp();
    });

  registerNodeCommand(program);
  registerBootstrapCommand(program);
  registerDecodeCommand(program);
  return program;
}

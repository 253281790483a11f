/** The `kalypso` command tree: the composition root, the one place that may import every folder. Each command lives with what it runs and registers itself here. */
import { Command } from "commander";
import { registerBootstrapCommand } from "../bootstrap/bootstrap-command.js";
import { registerDecodeCommand } from "../node/cli/decode-command.js";
import { registerMarketCommand } from "../node/cli/market-command.js";
import { registerNodeCommand } from "../node/cli/node-command.js";
import { registerProverCommand } from "../node/cli/prover-command.js";
import { registerRequestCommand } from "../node/cli/request-command.js";
import { registerStatusCommand } from "../node/cli/status-command.js";
import { registerDevnetCommand } from "../sim/devnet/devnet-command.js";
import { registerSimCommand } from "../sim/sim-command.js";

export function buildProgram(): Command {
  const program = new Command("kalypso")
    .description("Kalypso: a permissionless, circuit-agnostic peer-to-peer market for zero-knowledge proofs")
    .version("0.1.0")
    .showHelpAfterError();

  registerDevnetCommand(program);
  registerSimCommand(program);
  registerNodeCommand(program);
  registerBootstrapCommand(program);
  registerDecodeCommand(program);
  registerMarketCommand(program);
  registerProverCommand(program);
  registerRequestCommand(program);
  registerStatusCommand(program);
  return program;
}

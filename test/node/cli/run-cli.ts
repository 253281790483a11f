/** Run the real `kalypso` binary in a child process and collect its output. */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const BIN = join(import.meta.dirname, "../../../bin/kalypso.js");

/** Exit code, stdout and stderr of one `kalypso ...` run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `kalypso args...` to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b) => {
    stdout += String(b);
  });
  child.stderr.on("data", (b) => {
    stderr += String(b);
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

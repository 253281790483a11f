/**
 * Test support: compile one verifier wrapper with solc, run anvil, deploy with ethers.
 * TODO: replace with chain/ devchain + compile once the chain branch lands.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { ContractFactory, type InterfaceAbi, JsonRpcProvider, type JsonRpcSigner } from "ethers";

const require = createRequire(import.meta.url);

/** ABI and bytecode of one compiled contract. */
export interface Compiled {
  abi: InterfaceAbi;
  bytecode: string;
}

/** Compiles `file` (and its imports, resolved on disk) and returns `contract`. */
export function compileContract(file: string, contract: string): Compiled {
  const solc = require("solc") as { compile(input: string, cb: { import(p: string): unknown }): string };
  const abs = resolve(file);
  const input = {
    language: "Solidity",
    sources: { [abs]: { content: readFileSync(abs, "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const findImports = (p: string) => {
    try {
      return { contents: readFileSync(p, "utf8") };
    } catch {
      return { error: `not found: ${p}` };
    }
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: InterfaceAbi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const c = out.contracts[abs]?.[contract];
  if (!c) throw new Error(`${contract} not in ${abs}`);
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? ok(addr.port) : fail(new Error("no port"))));
    });
  });
}

function anvilBinary(): string {
  const pkg = `@foundry-rs/anvil-${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
  return join(dirname(require.resolve(`${pkg}/package.json`)), "bin", "anvil");
}

/** A running anvil with a signer; `stop()` kills it and waits for its exit. */
export interface DevChain {
  provider: JsonRpcProvider;
  signer: JsonRpcSigner;
  deploy(c: Compiled): Promise<string>;
  stop(): Promise<void>;
}

/** Starts anvil on a free port and waits until it answers JSON-RPC (deadline 20 s). */
export async function startDevChain(): Promise<DevChain> {
  const port = await freePort();
  const proc: ChildProcess = spawn(anvilBinary(), ["--port", String(port), "--silent"], { stdio: "ignore" });
  const exited = new Promise<void>((ok) => proc.once("exit", () => ok()));
  // anvil's default chain id, given so ethers does not probe (and log retries) while anvil boots.
  const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, 31337, {
    cacheTimeout: -1,
    batchMaxCount: 1,
    staticNetwork: true,
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await provider.getBlockNumber();
      break;
    } catch (err) {
      if (Date.now() > deadline || proc.exitCode !== null) {
        proc.kill("SIGKILL");
        throw new Error(`anvil did not answer on port ${port}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 50)); // poll with a deadline: anvil has no ready event
    }
  }
  const signer = await provider.getSigner(0);
  return {
    provider,
    signer,
    async deploy(c) {
      const contract = await new ContractFactory(c.abi, c.bytecode, signer).deploy();
      await contract.deploymentTransaction()!.wait();
      return contract.getAddress();
    },
    async stop() {
      provider.destroy();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * The dev chain: anvil from npm (`@foundry-rs/anvil`), started by our code on a free loopback port
 * and stopped with it. Anvil's automine includes each transaction at once; because an idle
 * automining chain stands still in time (STACK.md pitfall 14), an idle miner adds an empty block
 * every `idleMineIntervalMs` when nothing else was mined. Tests turn it off and mine explicitly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { HDNodeWallet, type JsonRpcProvider } from "ethers";
import { KalypsoError } from "../protocol/errors.js";
import { makeProvider } from "./provider.js";

/** Options for the dev chain; every field optional. */
export interface DevChainInit {
  /** Default 31337, anvil's. */
  chainId?: number;
  /** Funded accounts. Default 10. */
  accounts?: number;
  /** Ether per funded account. Default 10,000. */
  balanceEth?: number;
  /** Mine an empty block after this long without a new block; 0 = never. Default 1000 ms. */
  idleMineIntervalMs?: number;
  /** Give up if anvil does not answer within this. Default 15,000 ms. */
  startTimeoutMs?: number;
}

/** Anvil's well-known test mnemonic: the funded accounts' keys derive from it. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Private keys (0x-hex) of anvil's first `n` funded accounts. */
export function devKeys(n: number): string[] {
  const root = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0");
  return Array.from({ length: n }, (_, i) => root.deriveChild(i).privateKey);
}

function anvilBinary(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const require = createRequire(import.meta.url);
  try {
    const dir = dirname(require.resolve(`${pkg}/package.json`));
    return join(dir, "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  } catch (cause) {
    throw new KalypsoError("DEVCHAIN_START_FAILED", `no anvil binary for this platform (${pkg})`, { cause });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running anvil: its URL, a provider, test helpers, and `stop()`. */
export class DevChain {
  readonly url: string;
  readonly chainId: number;
  readonly provider: JsonRpcProvider;
  /** Private keys of the funded accounts, in anvil's order. */
  readonly keys: string[];
  private readonly child: ChildProcess;
  private timer: NodeJS.Timeout | undefined;
  private lastBlock = -1;
  private stopped = false;

  private constructor(child: ChildProcess, url: string, chainId: number, keys: string[]) {
    this.child = child;
    this.url = url;
    this.chainId = chainId;
    this.keys = keys;
    this.provider = makeProvider(url, { chainId, pollingIntervalMs: 20 });
  }

  /** Start anvil and wait until it answers. */
  static async start(init: DevChainInit = {}): Promise<DevChain> {
    const chainId = init.chainId ?? 31337;
    const accounts = init.accounts ?? 10;
    const port = await freePort();
    const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId)];
    args.push("--accounts", String(accounts), "--balance", String(init.balanceEth ?? 10_000));
    args.push("--mnemonic", DEV_MNEMONIC, "--silent");
    const child = spawn(anvilBinary(), args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // If this process exits without stop() (a crash, process.exit), anvil must not outlive it.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.removeListener("exit", killOnExit));
    const chain = new DevChain(child, `http://127.0.0.1:${port}`, chainId, devKeys(accounts));
    try {
      await chain.waitReady(init.startTimeoutMs ?? 15_000, () => stderr);
    } catch (e) {
      await chain.stop();
      throw e;
    }
    const interval = init.idleMineIntervalMs ?? 1000;
    if (interval > 0) {
      chain.timer = setInterval(() => void chain.mineIfIdle(), interval);
      chain.timer.unref();
    }
    return chain;
  }

  private async waitReady(timeoutMs: number, stderr: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    this.child.once("exit", () => {
      exited = true;
    });
    while (Date.now() < deadline && !exited) {
      try {
        const res = await fetch(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new KalypsoError(
      "DEVCHAIN_START_FAILED",
      `anvil did not answer on ${this.url} within ${timeoutMs} ms${exited ? " (it exited)" : ""}: ${stderr()}`,
    );
  }

  private async mineIfIdle(): Promise<void> {
    try {
      const n = await this.provider.getBlockNumber();
      if (n === this.lastBlock) await this.mine();
      this.lastBlock = n === this.lastBlock ? n + 1 : n;
    } catch {
      // the chain is stopping, or busy: the next tick tries again
    }
  }

  /** Mine one block now. */
  async mine(): Promise<void> {
    await this.provider.send("evm_mine", []);
  }

  /** Move chain time forward by `seconds` and mine a block at the new time. */
  async increaseTime(seconds: number): Promise<void> {
    await this.provider.send("evm_increaseTime", [seconds]);
    await this.mine();
  }

  /** Chain time (s) of the latest block. */
  async now(): Promise<number> {
    const block = await this.provider.getBlock("latest");
    return block!.timestamp;
  }

  /** Snapshot the chain state; `revert(id)` returns to it (and consumes the snapshot). */
  async snapshot(): Promise<string> {
    return (await this.provider.send("evm_snapshot", [])) as string;
  }

  /** Return to a snapshot taken by `snapshot()`. */
  async revert(id: string): Promise<void> {
    const ok = (await this.provider.send("evm_revert", [id])) as boolean;
    if (!ok) throw new KalypsoError("DEVCHAIN_REVERT_FAILED", `evm_revert to snapshot ${id} failed`);
  }

  /** Stop the idle miner and anvil. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.provider.destroy();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The controller's side of one node process: fork it, send its setup, wait for `ready`, make typed
 * calls, relay its events, and end it (stop: graceful; crash: the process exits at once; kill).
 * Every child forked here is SIGKILLed if the controller exits first, and each child exits when
 * its IPC channel closes, so no node outlives the sim.
 */
import { type ChildProcess, fork } from "node:child_process";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import { SimError } from "../poll.js";
import {
  type ControlMessage,
  type NodeCall,
  type NodeCallResults,
  type NodeOp,
  type NodeReport,
  type NodeSetup,
  parseNodeReport,
  RESULT_CHECKS,
} from "./messages.js";

/** The child entry point, run through tsx like the CLI. */
const NODE_PROCESS_ENTRY = fileURLToPath(new URL("./node-process.ts", import.meta.url));

/** Long enough for tsx to load the node's modules and a node to join; a child that takes longer is stuck. */
const READY_TIMEOUT_MS = 60_000;
/** A call is a local action in the child (a role start sends a few transactions). */
const CALL_TIMEOUT_MS = 60_000;
/** How long an exit may take before the child is killed. */
const EXIT_TIMEOUT_MS = 10_000;

/** Every child alive, killed if this process exits without stopping them. */
const alive = new Set<ChildProcess>();
let exitHookInstalled = false;
function killOnExit(child: ChildProcess): void {
  alive.add(child);
  child.once("exit", () => alive.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const c of alive) c.kill("SIGKILL");
  });
}

/** Pids of the node processes this process started that have not exited (what a test checks is empty). */
export function nodeProcessPids(): number[] {
  return [...alive].map((c) => c.pid!);
}

interface NodeChildEvents {
  role: [Extract<NodeReport, { type: "role" }>];
  held: [requestId: string, atMs: number];
}

type Pending = {
  op: NodeOp;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
};

/** One node process, ready. */
export class NodeChild extends EventEmitter<NodeChildEvents> {
  readonly pid: number;
  peerId = "";
  multiaddrs: string[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    super();
    this.pid = child.pid!;
    this.exited = new Promise((resolve) =>
      child.once("exit", (code) => {
        this.exitCode = code;
        const err = new SimError("SIM_CHILD_FAILED", `sim: node process ${name} exited (code ${code})`);
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(err);
        }
        this.pending.clear();
        resolve();
      }),
    );
  }

  /** Fork the node process for `setup` and wait until its node is up. */
  static async start(setup: NodeSetup): Promise<NodeChild> {
    const child = fork(NODE_PROCESS_ENTRY, [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    killOnExit(child);
    const nc = new NodeChild(setup.name, child);
    const ready = new Promise<Extract<NodeReport, { type: "ready" }>>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new SimError("SIM_CHILD_FAILED", `sim: ${setup.name} not ready after ${READY_TIMEOUT_MS} ms`),
          ),
        READY_TIMEOUT_MS,
      );
      child.on("message", (raw) => {
        let m: NodeReport;
        try {
          m = parseNodeReport(raw);
        } catch (err) {
          // A child that breaks the protocol cannot be trusted with anything else.
          child.kill("SIGKILL");
          return reject(err);
        }
        if (m.type === "ready") {
          clearTimeout(timer);
          resolve(m);
        } else if (m.type === "failed") {
          clearTimeout(timer);
          reject(
            new SimError("SIM_CHILD_FAILED", `sim: ${setup.name} failed to start: ${m.code} ${m.message}`),
          );
        } else nc.onReport(m);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(
          new SimError("SIM_CHILD_FAILED", `sim: ${setup.name} exited before it was ready (code ${code})`),
        );
      });
    });
    nc.send({ type: "setup", setup });
    try {
      const r = await ready;
      nc.peerId = r.peerId;
      nc.multiaddrs = r.multiaddrs;
      return nc;
    } catch (err) {
      nc.kill();
      throw err;
    }
  }

  /** Whether the process has exited. */
  get gone(): boolean {
    return this.exitCode !== undefined;
  }

  /** Ask the node something; rejects with SIM_CHILD_FAILED if it fails, exits or takes too long. */
  call<C extends NodeCall>(call: C, timeoutMs = CALL_TIMEOUT_MS): Promise<NodeCallResults[C["op"]]> {
    if (this.gone)
      return Promise.reject(new SimError("SIM_CHILD_FAILED", `sim: ${this.name} has exited (${call.op})`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new SimError("SIM_CHILD_FAILED", `sim: ${this.name} did not answer ${call.op} in ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(id, { op: call.op, resolve: resolve as (v: unknown) => void, reject, timer });
      this.send({ type: "call", id, call });
    });
  }

  /** Exit at once (the child calls process.exit: a real crash as the network sees it). */
  async crash(): Promise<void> {
    if (this.gone) return;
    this.send({ type: "crash" });
    await this.exitWithin();
  }

  /** Stop the node and its role gracefully; killed if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.gone) return;
    await this.call({ op: "stop" }).catch(() => this.kill());
    await this.exitWithin();
  }

  /** SIGKILL, no questions asked. */
  kill(): void {
    if (!this.gone) this.child.kill("SIGKILL");
  }

  private async exitWithin(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.kill();
        resolve();
      }, EXIT_TIMEOUT_MS);
    });
    await Promise.race([this.exited, late]);
    clearTimeout(timer);
    await this.exited;
  }

  private send(m: ControlMessage): void {
    if (this.child.connected) this.child.send(m);
  }

  private onReport(m: NodeReport): void {
    if (m.type === "role") this.emit("role", m);
    else if (m.type === "held") this.emit("held", m.requestId, m.atMs);
    else if (m.type === "reply") {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (!m.ok)
        p.reject(
          new SimError("SIM_CHILD_FAILED", `sim: ${this.name} ${p.op} failed: ${m.code} ${m.message}`),
        );
      else if (!RESULT_CHECKS[p.op](m.value))
        p.reject(
          new SimError(
            "SIM_CHILD_PROTOCOL",
            `sim: ${this.name} answered ${p.op} with ${JSON.stringify(m.value)}`,
          ),
        );
      else p.resolve(m.value);
    }
  }
}

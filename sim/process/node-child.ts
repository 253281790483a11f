/**
 * The controller's side of the node processes: fork one (NodeProcess), send it a setup per node it
 * hosts and wait for each `ready`, make typed calls to each node (NodeChild), relay their events,
 * and end them (stop: graceful; crash: a node alone in its process exits it at once, one sharing a
 * process is stopped at once; kill). Every process forked here is SIGKILLed if the controller exits
 * first, and each exits when its IPC channel closes, so no node outlives the sim.
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

/** Long enough for tsx to load the node's modules and a node to join; a node that takes longer is stuck. */
const READY_TIMEOUT_MS = 60_000;
/** A call is a local action in the child (a role start sends a few transactions). */
const CALL_TIMEOUT_MS = 60_000;
/** How long an exit may take before the child is killed. */
const EXIT_TIMEOUT_MS = 10_000;

/**
 * Extra node flags for node processes from KALYPSO_SIM_NODE_FLAGS (space-separated), such as
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them: NODE_OPTIONS refuses --cpu-prof.
 */
function nodeProcessFlags(): string[] {
  return (process.env.KALYPSO_SIM_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "");
}

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
  node: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
};

type Ready = Extract<NodeReport, { type: "ready" }>;

/** One node process, hosting the nodes started on it (`host`) until the last one stops. */
export class NodeProcess {
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly nodes = new Map<string, NodeChild>();
  private readonly starting = new Map<string, { resolve: (r: Ready) => void; reject: (e: Error) => void }>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  constructor() {
    this.child = fork(NODE_PROCESS_ENTRY, [], {
      execArgv: ["--import", "tsx", ...nodeProcessFlags()],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    killOnExit(this.child);
    this.pid = this.child.pid!;
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code) => {
        this.exitCode = code;
        const err = (what: string) =>
          new SimError("SIM_CHILD_FAILED", `sim: the node process of ${what} exited (code ${code})`);
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(err(p.node));
        }
        this.pending.clear();
        for (const [name, s] of this.starting) s.reject(err(`${name}, before it was ready,`));
        this.starting.clear();
        resolve();
      }),
    );
    this.child.on("message", (raw) => {
      let m: NodeReport;
      try {
        m = parseNodeReport(raw);
      } catch (err) {
        // A process that breaks the protocol cannot be trusted with anything else.
        this.kill();
        for (const s of this.starting.values()) s.reject(err as Error);
        return;
      }
      this.onReport(m);
    });
  }

  /** Whether the process has exited. */
  get gone(): boolean {
    return this.exitCode !== undefined;
  }

  /** Nodes it hosts that have not stopped. */
  get hosting(): number {
    return [...this.nodes.values()].filter((n) => !n.stopped).length;
  }

  /** Start the node `setup` describes in this process and wait until it is up. */
  async host(setup: NodeSetup): Promise<NodeChild> {
    const name = setup.name;
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<Ready>((resolve, reject) => {
      this.starting.set(name, { resolve, reject });
      timer = setTimeout(
        () => reject(new SimError("SIM_CHILD_FAILED", `sim: ${name} not ready after ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
    });
    this.send({ type: "setup", setup });
    try {
      const r = await ready;
      const node = new NodeChild(name, this, r.peerId, r.multiaddrs);
      this.nodes.set(name, node);
      return node;
    } finally {
      clearTimeout(timer);
      this.starting.delete(name);
    }
  }

  /** Ask node `name` something; rejects with SIM_CHILD_FAILED if it fails, exits or takes too long. */
  call<C extends NodeCall>(
    name: string,
    call: C,
    timeoutMs = CALL_TIMEOUT_MS,
  ): Promise<NodeCallResults[C["op"]]> {
    if (this.gone)
      return Promise.reject(new SimError("SIM_CHILD_FAILED", `sim: ${name} has exited (${call.op})`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SimError("SIM_CHILD_FAILED", `sim: ${name} did not answer ${call.op} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        op: call.op,
        node: name,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
      });
      this.send({ type: "call", id, node: name, call });
    });
  }

  /** SIGKILL, no questions asked. */
  kill(): void {
    if (!this.gone) this.child.kill("SIGKILL");
  }

  /** Wait for the process to exit (it does once its last node stopped); killed if it takes too long. */
  async exitWithin(): Promise<void> {
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
    switch (m.type) {
      case "reply":
        this.onReply(m);
        break;
      case "ready":
        this.starting.get(m.node)?.resolve(m);
        break;
      case "failed":
        this.starting
          .get(m.node)
          ?.reject(
            new SimError("SIM_CHILD_FAILED", `sim: ${m.node} failed to start: ${m.code} ${m.message}`),
          );
        break;
      case "role":
        this.nodes.get(m.node)?.emit("role", m);
        break;
      case "held":
        this.nodes.get(m.node)?.emit("held", m.requestId, m.atMs);
        break;
    }
  }

  private onReply(m: Extract<NodeReport, { type: "reply" }>): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (!m.ok)
      p.reject(new SimError("SIM_CHILD_FAILED", `sim: ${p.node} ${p.op} failed: ${m.code} ${m.message}`));
    else if (!RESULT_CHECKS[p.op](m.value))
      p.reject(
        new SimError("SIM_CHILD_PROTOCOL", `sim: ${p.node} answered ${p.op} with ${JSON.stringify(m.value)}`),
      );
    else p.resolve(m.value);
  }
}

/** One node in a node process, ready. */
export class NodeChild extends EventEmitter<NodeChildEvents> {
  /** Whether stop() or crash() has ended it. */
  stopped = false;

  constructor(
    readonly name: string,
    readonly process: NodeProcess,
    readonly peerId: string,
    readonly multiaddrs: string[],
  ) {
    super();
  }

  /** A node in a process of its own (--processes), started. */
  static async start(setup: NodeSetup): Promise<NodeChild> {
    const p = new NodeProcess();
    try {
      return await p.host(setup);
    } catch (err) {
      p.kill();
      throw err;
    }
  }

  /** Whether the node has ended (stopped, crashed, or its process exited). */
  get gone(): boolean {
    return this.stopped || this.process.gone;
  }

  /** Ask the node something; rejects with SIM_CHILD_FAILED if it fails, exits or takes too long. */
  call<C extends NodeCall>(call: C, timeoutMs = CALL_TIMEOUT_MS): Promise<NodeCallResults[C["op"]]> {
    if (this.stopped)
      return Promise.reject(new SimError("SIM_CHILD_FAILED", `sim: ${this.name} has stopped (${call.op})`));
    return this.process.call(this.name, call, timeoutMs);
  }

  /**
   * End it at once: alone in its process, the process exits (a real crash as the network sees it);
   * sharing one, the node and its role are stopped without waiting for anything else.
   */
  async crash(): Promise<void> {
    if (this.gone) return;
    const alone = this.process.hosting === 1;
    const ended = this.call({ op: "crash" });
    this.stopped = true;
    // Sharing, a crash that fails leaves the node to the teardown: the process carries other nodes.
    await ended.catch(() => undefined);
    if (alone) await this.process.exitWithin();
  }

  /** Stop the node and its role gracefully; its process exits with its last node (or is killed). */
  async stop(): Promise<void> {
    if (this.gone) return;
    await this.call({ op: "stop" }).catch(() => this.process.kill());
    this.stopped = true;
    if (this.process.hosting === 0) await this.process.exitWithin();
  }

  /** SIGKILL the process it runs in. */
  kill(): void {
    this.process.kill();
  }
}

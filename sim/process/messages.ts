/**
 * What the controller and a node process say to each other over the IPC channel (JSON): one union
 * each way, shared by both sides. A node process hosts one node (--processes) or several (--shards);
 * every message names the node it is for or from. Bigints and keys travel as strings; what a child
 * reports is checked here before the controller believes it (parseNodeReport).
 */
import type { MarketDescription } from "../../node/prover/market-file.js";
import type { MatcherRole } from "../../node/roles/lease-watcher.js";
import type { DeploymentRef } from "../devnet/deployment-ref.js";
import { SimError } from "../poll.js";

/** What every node process is given. */
interface SetupCommon {
  name: string;
  /** The sim's data dir; the node keeps its key and LevelDB in `<dir>/<name>`. */
  dir: string;
  deployment: DeploymentRef;
  /** Multiaddrs of the bootstrap peer (empty for the bootstrap node itself). */
  bootstrap: string[];
  /** pino level of the node's logs, to its stdout. */
  logLevel: string;
}

/** How to build one node process: the bootstrap peer, a matcher or a prover. */
export type NodeSetup = SetupCommon &
  (
    | { role: "bootstrap" }
    | {
        role: "matcher";
        /** Registered enclave key, hex; the matcher also sends from its account. */
        key: string;
        /** The test verifier key that signs emulated attestations, hex. */
        attestationKey: string;
      }
    | {
        role: "prover";
        key: string;
        markets: { marketId: number; description: MarketDescription }[];
        /** Wei as decimal strings. */
        pricing: { price: string; provingTime: number; capacity: number };
        minCollateral: string;
        silent: boolean;
      }
  );

/** What the controller asks of a node; each gets one reply. */
export type NodeCall =
  | { op: "startRole" }
  | { op: "crash" }
  | { op: "blockPeer"; peer: string }
  | { op: "unblockPeer"; peer: string }
  | { op: "logSeq" }
  | { op: "connectedPeers" }
  | { op: "dial"; multiaddr: string }
  | { op: "peerStanding"; peer: string }
  | { op: "rss" }
  | { op: "quotedMarkets"; validAfter?: number }
  | { op: "stop" };

export type NodeOp = NodeCall["op"];

/** What each call replies with (`startRole`: the matcher's role, null for the others). */
export interface NodeCallResults {
  startRole: { role: MatcherRole; term: number } | null;
  blockPeer: null;
  unblockPeer: null;
  logSeq: number;
  connectedPeers: string[];
  dial: null;
  peerStanding: { score: number; rejects: number };
  rss: number;
  /** A prover's: markets whose quote from it the sequenced log carries (0 for other roles). */
  quotedMarkets: number;
  /** Only from a node sharing its process: a node alone in one exits at once and never replies. */
  crash: null;
  stop: null;
}

/** Controller -> node process: start a node (one more, with --shards), or a call to one of its nodes. */
export type ControlMessage =
  | { type: "setup"; setup: NodeSetup }
  | { type: "call"; id: number; node: string; call: NodeCall };

/** Node process -> controller; `node` names the node it is from (replies carry their call's id). */
export type NodeReport =
  | { type: "ready"; node: string; peerId: string; multiaddrs: string[]; address: string | null }
  | { type: "failed"; node: string; code: string; message: string }
  | { type: "role"; node: string; role: MatcherRole; term: number }
  | { type: "held"; node: string; requestId: string; atMs: number }
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; code: string; message: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isStr = (v: unknown): v is string => typeof v === "string";
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isRole = (v: unknown): v is MatcherRole => v === "follower" || v === "candidate" || v === "leader";

function bad(what: string, raw: unknown): SimError {
  return new SimError(
    "SIM_CHILD_PROTOCOL",
    `sim: node process sent ${what}: ${JSON.stringify(raw)?.slice(0, 200)}`,
  );
}

/** A node process's message, checked; SIM_CHILD_PROTOCOL if it is not one. */
export function parseNodeReport(raw: unknown): NodeReport {
  if (!isObj(raw)) throw bad("a non-object", raw);
  if (raw.type !== "reply" && !isStr(raw.node))
    throw bad(`a ${String(raw.type)} message naming no node`, raw);
  switch (raw.type) {
    case "ready":
      if (isStr(raw.peerId) && Array.isArray(raw.multiaddrs) && raw.multiaddrs.every(isStr))
        if (raw.address === null || isStr(raw.address)) return raw as NodeReport;
      break;
    case "failed":
      if (isStr(raw.code) && isStr(raw.message)) return raw as NodeReport;
      break;
    case "role":
      if (isRole(raw.role) && isNum(raw.term)) return raw as NodeReport;
      break;
    case "held":
      if (isStr(raw.requestId) && isNum(raw.atMs)) return raw as NodeReport;
      break;
    case "reply":
      if (isNum(raw.id) && (raw.ok === true || (raw.ok === false && isStr(raw.code) && isStr(raw.message))))
        return raw as NodeReport;
      break;
  }
  throw bad(`a malformed ${String(raw.type)} message`, raw);
}

const isNull = (v: unknown): v is null => v === null;

/** Checks of each call's reply value. */
export const RESULT_CHECKS: { [K in NodeOp]: (v: unknown) => v is NodeCallResults[K] } = {
  startRole: (v): v is NodeCallResults["startRole"] =>
    v === null || (isObj(v) && isRole(v.role) && isNum(v.term)),
  blockPeer: isNull,
  unblockPeer: isNull,
  logSeq: isNum,
  connectedPeers: (v): v is string[] => Array.isArray(v) && v.every(isStr),
  dial: isNull,
  peerStanding: (v): v is NodeCallResults["peerStanding"] => isObj(v) && isNum(v.score) && isNum(v.rejects),
  rss: isNum,
  quotedMarkets: isNum,
  crash: isNull,
  stop: isNull,
};

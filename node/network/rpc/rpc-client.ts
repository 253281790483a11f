/**
 * Client side of the request/response protocols. What comes back is checked before it is used:
 * inputs must hash to what was asked, batches must decode strictly. A peer that answers with
 * something provably wrong is penalised like a gossip REJECT.
 */
import type { PeerId } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import {
  decodeMessage,
  fromHex,
  type Hex32,
  keccak,
  ProtocolError,
  type SignedBatch,
  toHex,
} from "../../../protocol/index.js";
import { NodeError } from "../../errors.js";
import type { Host } from "../host.js";
import type { PeerPenalties } from "../peer-penalties.js";
import {
  decodeStatusFrame,
  encodeSyncRequest,
  INPUTS_PROTOCOL,
  MAX_FETCHED_INPUTS_BYTES,
  MAX_FRAME_BYTES,
  MAX_SYNC_BATCHES,
  RPC_STATUS,
  RPC_TIMEOUT_MS,
  STATUS_PROTOCOL,
  SYNC_PROTOCOL,
} from "./protocols.js";

export interface RpcClientComponents {
  host: Host;
  penalties: PeerPenalties;
}

const STATUS_NAMES: Record<number, string> = {
  1: "not found",
  2: "bad request",
  3: "rate limited",
  4: "error",
};

export class RpcClient {
  constructor(private readonly components: RpcClientComponents) {}

  /** One request, its status frame, then its payload frames. */
  private async call(
    peer: PeerId,
    protocol: string,
    request: Uint8Array,
    maxFrames: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array[]> {
    const timeout = AbortSignal.timeout(RPC_TIMEOUT_MS);
    const s = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const stream = await this.components.host.dialProtocol(peer, protocol, { signal: s });
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES });
      await lp.write(request, { signal: s });
      const head = decodeStatusFrame((await lp.read({ signal: s })).subarray());
      if (!head || head.count > maxFrames) {
        this.components.penalties.reject(peer.toString());
        throw new NodeError("RPC_FAILED", `${protocol}: peer ${peer} sent a malformed status frame`);
      }
      if (head.status === RPC_STATUS.NOT_FOUND)
        throw new NodeError("RPC_NOT_FOUND", `${protocol}: peer ${peer} does not have it`);
      if (head.status === RPC_STATUS.RATE_LIMITED)
        throw new NodeError("RPC_RATE_LIMITED", `${protocol}: peer ${peer} rate-limited us; retry later`);
      if (head.status !== RPC_STATUS.OK) {
        throw new NodeError(
          "RPC_FAILED",
          `${protocol}: peer ${peer} answered ${STATUS_NAMES[head.status] ?? head.status}`,
        );
      }
      const frames: Uint8Array[] = [];
      for (let i = 0; i < head.count; i++) frames.push((await lp.read({ signal: s })).subarray());
      await stream.close({ signal: s });
      return frames;
    } catch (err) {
      stream.abort(err as Error);
      throw err;
    }
  }

  /** Inputs by content hash, checked against the hash. */
  async fetchInputs(peer: PeerId, hash: Hex32, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const [bytes] = await this.call(peer, INPUTS_PROTOCOL, fromHex(hash), 1, options.signal);
    if (bytes === undefined || bytes.length > MAX_FETCHED_INPUTS_BYTES || toHex(keccak(bytes)) !== hash) {
      this.components.penalties.reject(peer.toString());
      throw new NodeError("RPC_FAILED", `peer ${peer} answered inputs ${hash} with bytes of another hash`);
    }
    return bytes;
  }

  /** Up to `limit` batches of the log from `fromSeq`, strictly decoded (verifying them is the caller's). */
  async syncLog(
    peer: PeerId,
    fromSeq: number,
    limit = MAX_SYNC_BATCHES,
    options: { signal?: AbortSignal } = {},
  ): Promise<SignedBatch[]> {
    const frames = await this.call(
      peer,
      SYNC_PROTOCOL,
      encodeSyncRequest(fromSeq, limit),
      Math.min(limit, MAX_SYNC_BATCHES),
      options.signal,
    );
    const batches: SignedBatch[] = [];
    for (const f of frames) {
      try {
        const m = decodeMessage(f);
        if (m.type !== "batch")
          throw new ProtocolError("WRONG_TOPIC", "REJECT", `a ${m.type} in a sync reply`);
        batches.push(m.body);
      } catch (err) {
        this.components.penalties.reject(peer.toString());
        throw new NodeError(
          "RPC_FAILED",
          `peer ${peer} sent an invalid batch in sync: ${(err as Error).message}`,
        );
      }
    }
    return batches;
  }

  /** A peer's self-reported status. */
  async status(peer: PeerId, options: { signal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
    const [frame] = await this.call(peer, STATUS_PROTOCOL, new Uint8Array(0), 1, options.signal);
    try {
      return JSON.parse(new TextDecoder().decode(frame)) as Record<string, unknown>;
    } catch {
      throw new NodeError("RPC_FAILED", `peer ${peer} sent a status that is not JSON`);
    }
  }
}

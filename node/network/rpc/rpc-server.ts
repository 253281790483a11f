/**
 * Serves the request/response protocols from what the node holds: inputs by hash, the sequenced
 * log from a sequence number, and status. Each request is rate-limited per peer and bounded in time.
 */
import type { Connection, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import { encodeMessage, type Hex32, type SignedBatch, toHex } from "../../../protocol/index.js";
import type { Logger } from "../../logger.js";
import { silentLogger } from "../../logger.js";
import type { NodeMetrics } from "../../metrics.js";
import type { Host } from "../host.js";
import {
  decodeSyncRequest,
  encodeStatusFrame,
  INPUTS_PROTOCOL,
  MAX_FRAME_BYTES,
  RPC_STATUS,
  RPC_TIMEOUT_MS,
  STATUS_PROTOCOL,
  SYNC_PROTOCOL,
} from "./protocols.js";
import { RateLimiter, type RateLimiterInit } from "./rate-limiter.js";

/** What the node answers from. */
export interface RpcDataSource {
  getInput(hash: Hex32): Promise<Uint8Array | undefined>;
  batchesFrom(seq: number, limit: number): AsyncIterable<SignedBatch>;
  status(): Promise<Record<string, unknown>>;
}

export interface RpcServerComponents {
  host: Host;
  data: RpcDataSource;
  logger?: Logger;
  metrics?: NodeMetrics;
}

type Handler = (request: Uint8Array) => Promise<Uint8Array[] | number>;

export class RpcServer {
  private readonly limiter: RateLimiter;
  private readonly log: Logger;
  private started = false;

  constructor(
    private readonly components: RpcServerComponents,
    init: RateLimiterInit = {},
  ) {
    this.limiter = new RateLimiter(init);
    this.log = components.logger ?? silentLogger;
  }

  async start(): Promise<void> {
    if (this.started) return;
    const { host } = this.components;
    await host.handle(INPUTS_PROTOCOL, (s, c) => this.serve(INPUTS_PROTOCOL, s, c, (r) => this.inputs(r)));
    await host.handle(SYNC_PROTOCOL, (s, c) => this.serve(SYNC_PROTOCOL, s, c, (r) => this.sync(r)));
    await host.handle(STATUS_PROTOCOL, (s, c) => this.serve(STATUS_PROTOCOL, s, c, () => this.status()));
    this.started = true;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.components.host.unhandle([INPUTS_PROTOCOL, SYNC_PROTOCOL, STATUS_PROTOCOL]);
  }

  private async inputs(request: Uint8Array): Promise<Uint8Array[] | number> {
    if (request.length !== 32) return RPC_STATUS.BAD_REQUEST;
    const bytes = await this.components.data.getInput(toHex(request) as Hex32);
    return bytes === undefined ? RPC_STATUS.NOT_FOUND : [bytes];
  }

  private async sync(request: Uint8Array): Promise<Uint8Array[] | number> {
    const req = decodeSyncRequest(request);
    if (!req) return RPC_STATUS.BAD_REQUEST;
    const frames: Uint8Array[] = [];
    for await (const b of this.components.data.batchesFrom(req.fromSeq, req.limit)) {
      frames.push(encodeMessage({ type: "batch", body: b }));
    }
    return frames;
  }

  private async status(): Promise<Uint8Array[]> {
    return [new TextEncoder().encode(JSON.stringify(await this.components.data.status()))];
  }

  private async serve(
    protocol: string,
    stream: Stream,
    connection: Connection,
    handler: Handler,
  ): Promise<void> {
    const peer = connection.remotePeer.toString();
    const signal = AbortSignal.timeout(RPC_TIMEOUT_MS);
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES });
    let outcome = "ok";
    try {
      const request = (await lp.read({ signal })).subarray();
      if (!this.limiter.take(peer)) {
        outcome = "rate_limited";
        await lp.write(encodeStatusFrame(RPC_STATUS.RATE_LIMITED), { signal });
      } else {
        const result = await handler(request);
        if (typeof result === "number") {
          outcome = result === RPC_STATUS.NOT_FOUND ? "not_found" : "bad_request";
          await lp.write(encodeStatusFrame(result as 1 | 2), { signal });
        } else {
          await lp.writeV([encodeStatusFrame(RPC_STATUS.OK, result.length), ...result], { signal });
        }
      }
      await stream.close({ signal });
    } catch (err) {
      outcome = "error";
      this.log.debug({ err, peer, protocol }, "rpc request failed");
      stream.abort(err as Error);
    } finally {
      this.components.metrics?.rpcRequests.inc({ protocol, outcome });
    }
  }
}

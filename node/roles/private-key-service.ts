/**
 * Delivering a sealed witness's key to the assigned prover (DESIGN §5), over a request/response
 * protocol of its own, `/kalypso/private-key/1.0.0`:
 *
 *     request:  requestId (32 bytes)
 *     response: status frame [status u8][count u32]; on OK one frame: the input key wrapped to the
 *               assigned prover's attested enclave key
 *
 * The prover pulls: on an assignment whose secret is a sealed envelope it asks its connected peers.
 * A matcher answers only if the envelope carries a key wrapped to its own enclave and its log
 * assigns the request; inside its enclave it unwraps and re-wraps to the assignee's key as the
 * registry attests it. The answer is useless to anyone but that enclave, so the stream needs no
 * authentication, and any matcher that was sealed to (the leader, or more for failover) can serve.
 * Neither side logs or stores the key or the plaintext.
 */

import type { Connection, PeerId, Stream } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import { type Hex32, toHex } from "../../protocol/bytes.js";
import type { KalypsoNode } from "../kalypso-node.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import { connectedPeers } from "../network/host.js";
import {
  decodeStatusFrame,
  encodeStatusFrame,
  RPC_STATUS,
  RPC_TIMEOUT_MS,
  type RpcStatus,
} from "../network/rpc/protocols.js";
import type { Enclave, EnclaveCallOptions } from "../tee/enclave.js";
import { TeeError } from "../tee/errors.js";
import { rewrapInputKey } from "../tee/private-inputs.js";
import { decodeEnvelope, openEnvelope } from "./private-envelope.js";
import { PrivateInputsError } from "./private-errors.js";
import type { EnclaveKeyDirectory } from "./private-keys.js";

/** The protocol id. */
export const PRIVATE_KEY_PROTOCOL = "/kalypso/private-key/1.0.0";
// A wrapped 32-byte key is ~129 bytes; anything much larger is not an answer.
const MAX_KEY_FRAME = 1024;

/** What a matcher's key service runs on. */
export interface PrivateKeyServerComponents {
  /** The matcher's node: its pool and store hold the requests and the log's assignments. */
  node: KalypsoNode;
  /** The matcher's enclave: the only place the input key is unwrapped. */
  enclave: Enclave;
  /** Attested prover keys from the registry. */
  keys: EnclaveKeyDirectory;
  logger?: Logger;
}

/** The matcher's side: re-wraps input keys to the prover its log assigned. */
export class PrivateKeyServer {
  private readonly log: Logger;

  constructor(private readonly c: PrivateKeyServerComponents) {
    this.log = (c.logger ?? silentLogger).child({ service: "private-key" });
  }

  /** Start answering on the node's host. */
  async start(): Promise<void> {
    await this.c.node.host.handle(PRIVATE_KEY_PROTOCOL, (s: Stream, c: Connection) => this.serve(s, c));
  }

  /** Stop answering. Idempotent. */
  async stop(): Promise<void> {
    await this.c.node.host.unhandle(PRIVATE_KEY_PROTOCOL);
  }

  /**
   * The key of request `requestId` wrapped to its assigned prover, or the status saying why not
   * (NOT_FOUND: not sealed to us, not assigned, unknown request or prover not attested).
   */
  async answer(requestId: Hex32, options: EnclaveCallOptions = {}): Promise<Uint8Array | RpcStatus> {
    const { node, enclave } = this.c;
    await node.flushed();
    const signed = node.pool.requests.get(requestId) ?? (await node.store.getRequest(requestId));
    if (!signed) return RPC_STATUS.NOT_FOUND;
    const assignment = await node.store.getAssignment(requestId);
    if (!assignment) return RPC_STATUS.NOT_FOUND;
    const secret =
      signed.secret.length > 0 ? signed.secret : await node.store.getInput(signed.request.secretHash);
    if (!secret) return RPC_STATUS.NOT_FOUND;
    const mine = decodeEnvelope(secret).keys.find((k) => k.to === enclave.address.toLowerCase());
    if (!mine) return RPC_STATUS.NOT_FOUND;
    const proverKey = await this.c.keys.proverKey(assignment.prover);
    return rewrapInputKey(enclave, mine.wrappedKey, proverKey, assignment.prover, options);
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(RPC_TIMEOUT_MS);
    const lp = lpStream(stream, { maxDataLength: MAX_KEY_FRAME });
    try {
      const req = (await lp.read({ signal })).subarray();
      let result: Uint8Array | RpcStatus = RPC_STATUS.BAD_REQUEST;
      if (req.length === 32) {
        const requestId = toHex(req) as Hex32;
        result = await this.answer(requestId, { signal }).catch((err) => {
          // Codes only: an error's cause could carry key material from a library.
          this.log.warn({ requestId, code: (err as { code?: string }).code }, "no key for this request");
          return RPC_STATUS.NOT_FOUND;
        });
        if (typeof result !== "number") this.log.info({ requestId }, "input key re-wrapped to the prover");
      }
      if (typeof result === "number") await lp.write(encodeStatusFrame(result), { signal });
      else await lp.writeV([encodeStatusFrame(RPC_STATUS.OK, 1), result], { signal });
      await stream.close({ signal });
    } catch (err) {
      this.log.debug(
        { peer: connection.remotePeer.toString(), message: (err as Error).message },
        "key stream failed",
      );
      stream.abort(err as Error);
    }
  }
}

/** What the prover's opener runs on. */
export interface PrivateInputsOpenerComponents {
  node: KalypsoNode;
  /** The prover's attested enclave: the only place the witness is decrypted. */
  enclave: Enclave;
  logger?: Logger;
}

/** The prover's side: fetch the re-wrapped key from a matcher and open the envelope in the enclave. */
export class PrivateInputsOpener {
  private readonly log: Logger;

  constructor(private readonly c: PrivateInputsOpenerComponents) {
    this.log = (c.logger ?? silentLogger).child({ service: "private-inputs" });
  }

  /**
   * The plaintext witness of `requestId` from its sealed `secret`: only for the caller's proving
   * call, never to be stored. PRIVATE_MALFORMED for a bad envelope, INPUTS_TAMPERED when a key
   * unwraps but the ciphertext fails its tag, PRIVATE_KEY_UNAVAILABLE when no peer had a key for us.
   */
  async open(requestId: Hex32, secret: Uint8Array, options: EnclaveCallOptions = {}): Promise<Uint8Array> {
    const envelope = decodeEnvelope(secret);
    const peers = connectedPeers(this.c.node.host);
    let last: unknown;
    for (const peer of peers) {
      let wrapped: Uint8Array;
      try {
        wrapped = await this.fetchKey(peer, requestId, options.signal);
      } catch (err) {
        last = err;
        continue;
      }
      try {
        return await openEnvelope(this.c.enclave, envelope, wrapped, options);
      } catch (err) {
        // Not wrapped to our enclave (a confused or lying peer): ask the next one. A key that
        // unwraps but fails the tag (INPUTS_TAMPERED) means the ciphertext itself is bad: stop.
        if (!(err instanceof TeeError) || err.code !== "ENCLAVE_DECRYPT_FAILED") throw err;
        last = err;
      }
    }
    this.log.warn({ requestId, peers: peers.length }, "no matcher handed over the input key");
    throw new PrivateInputsError(
      "PRIVATE_KEY_UNAVAILABLE",
      `request ${requestId}: none of ${peers.length} connected peers gave a key for this enclave`,
      { cause: last },
    );
  }

  private async fetchKey(peer: PeerId, requestId: Hex32, signal?: AbortSignal): Promise<Uint8Array> {
    const timeout = AbortSignal.timeout(RPC_TIMEOUT_MS);
    const s = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const stream = await this.c.node.host.dialProtocol(peer, PRIVATE_KEY_PROTOCOL, { signal: s });
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_KEY_FRAME });
      await lp.write(Buffer.from(requestId.slice(2), "hex"), { signal: s });
      const head = decodeStatusFrame((await lp.read({ signal: s })).subarray());
      if (!head || head.status !== RPC_STATUS.OK || head.count !== 1) {
        throw new PrivateInputsError("PRIVATE_KEY_UNAVAILABLE", `peer ${peer} has no key for ${requestId}`);
      }
      const key = (await lp.read({ signal: s })).subarray();
      await stream.close({ signal: s });
      return key;
    } catch (err) {
      stream.abort(err as Error);
      throw err;
    }
  }
}

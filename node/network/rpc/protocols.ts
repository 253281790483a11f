/**
 * Request/response protocols over libp2p streams, length-prefixed (unsigned varint) frames.
 * A response starts with one status frame: [status u8][count u32]; on OK, `count` payload frames
 * follow. Requests are fixed-width binary; anything else is BAD_REQUEST.
 */

export const INPUTS_PROTOCOL = "/kalypso/inputs/1.0.0";
export const SYNC_PROTOCOL = "/kalypso/sync/1.0.0";
export const STATUS_PROTOCOL = "/kalypso/status/1.0.0";

/** Largest inputs fetched by hash: large inputs are why fetching exists; a MiB bounds a reply. */
export const MAX_FETCHED_INPUTS_BYTES = 1024 * 1024;
/** Batches per sync reply: the follower asks again from where the reply ended. */
export const MAX_SYNC_BATCHES = 256;
/** Largest single frame a peer may send us. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024 + 1024;
/** How long a peer has to send its request or a reply: slow peers must not pin streams. */
export const RPC_TIMEOUT_MS = 10_000;

export const RPC_STATUS = {
  OK: 0,
  NOT_FOUND: 1,
  BAD_REQUEST: 2,
  RATE_LIMITED: 3,
  ERROR: 4,
} as const;

export type RpcStatus = (typeof RPC_STATUS)[keyof typeof RPC_STATUS];

export function encodeStatusFrame(status: RpcStatus, count = 0): Uint8Array {
  const b = new Uint8Array(5);
  b[0] = status;
  new DataView(b.buffer).setUint32(1, count);
  return b;
}

export function decodeStatusFrame(b: Uint8Array): { status: number; count: number } | undefined {
  if (b.length !== 5) return undefined;
  return { status: b[0]!, count: new DataView(b.buffer, b.byteOffset, 5).getUint32(1) };
}

/** Sync request: [fromSeq u64][limit u32]. */
export function encodeSyncRequest(fromSeq: number, limit: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(fromSeq));
  v.setUint32(8, limit);
  return b;
}

export function decodeSyncRequest(b: Uint8Array): { fromSeq: number; limit: number } | undefined {
  if (b.length !== 12) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, 12);
  const fromSeq = v.getBigUint64(0);
  if (fromSeq > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return { fromSeq: Number(fromSeq), limit: Math.min(v.getUint32(8), MAX_SYNC_BATCHES) };
}

/**
 * Checks that a batch continues the log a node holds: next sequence number, previous header hash,
 * header bound to its body and signed. Whether the signer held the lease, and whether the
 * assignments follow the matching rule, are the matcher's checks; an observer needs only a
 * consistent chain to serve.
 */
import {
  batchHeaderHash,
  type Domain,
  type Hex32,
  reject,
  type SignedBatch,
  type ValidationContext,
  validateBatch,
  ZERO_HASH,
} from "../protocol/index.js";

export interface LogTip {
  /** Last sequence number held, -1 for none. */
  seq: number;
  /** Header hash of that batch, zero for none. */
  hash: `0x${string}`;
}

export const EMPTY_TIP: LogTip = { seq: -1, hash: ZERO_HASH };

/**
 * The tip after `batch`, or a REJECT ProtocolError when it does not continue `tip`. `checkedId` is
 * the id validateBatch gave this very batch when the caller already ran it (gossip runs it on every
 * delivery, publish before sending): running it again would hash every event and assignment and
 * recover the signature a second time, on every node, for every batch.
 */
export function extendLog(
  ctx: ValidationContext,
  matcherDomain: Domain,
  tip: LogTip,
  batch: SignedBatch,
  checkedId?: Hex32,
): LogTip {
  const h = batch.header;
  // [REJECT] gapless: the next batch is exactly tip + 1
  if (h.seq !== tip.seq + 1) throw reject("INVALID_FIELD", `batch.seq ${h.seq} does not follow ${tip.seq}`);
  // [REJECT] hash-chained: prevHash is the hash of the header before it
  if (h.prevHash !== tip.hash) {
    throw reject(
      "INVALID_FIELD",
      `batch ${h.seq} prevHash ${h.prevHash} is not the previous header ${tip.hash}`,
    );
  }
  if (checkedId !== undefined) return { seq: h.seq, hash: checkedId };
  validateBatch(ctx, batch);
  return { seq: h.seq, hash: batchHeaderHash(matcherDomain, h) };
}

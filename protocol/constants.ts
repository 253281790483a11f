/**
 * Protocol constants. Changing any of them changes what honest nodes accept: they are part of the
 * protocol version, not node configuration.
 */
import type { MessageType } from "./messages.js";

/** Wire version of every encoding in this file's protocol; a node rejects any other. */
export const PROTOCOL_VERSION = 1;

/** First byte of every encoded message: its type. */
export const MESSAGE_TAGS: Record<MessageType, number> = {
  request: 0x01,
  quote: 0x02,
  cancel: 0x03,
  batch: 0x04,
  heartbeat: 0x05,
  proof: 0x06,
};

/** Largest public inputs carried inline in a request; larger inputs travel by hash (DESIGN §3.1). */
export const MAX_INLINE_INPUTS_BYTES = 8 * 1024;
/** Largest encrypted private inputs carried inline in a request. */
export const MAX_INLINE_SECRET_BYTES = 8 * 1024;
/** Largest proof carried inline in an announcement (PLONK on BN254 is < 1 KiB, Groth16 256 B). */
export const MAX_INLINE_PROOF_BYTES = 16 * 1024;
/** Events per batch: bounds a follower's work per batch. */
export const MAX_BATCH_EVENTS = 4096;
/** Assignments per batch. */
export const MAX_BATCH_ASSIGNMENTS = 4096;

/** Largest encoding accepted per message type: checked before anything is decoded. */
export const MAX_MESSAGE_BYTES: Record<MessageType, number> = {
  request: 256 + MAX_INLINE_INPUTS_BYTES + MAX_INLINE_SECRET_BYTES,
  quote: 256,
  cancel: 128,
  batch: 4 * 1024 * 1024,
  heartbeat: 128,
  proof: 256 + MAX_INLINE_PROOF_BYTES,
};

/** Shortest proving time a request or quote may name: nothing proves in less than a second. */
export const MIN_PROVING_TIME_S = 1;
/** Longest proving time: a week bounds how long collateral and escrow stay locked. */
export const MAX_PROVING_TIME_S = 7 * 24 * 3600;
/** How far ahead assign-by may be: a day keeps the waiting book from filling with far-future orders. */
export const MAX_ASSIGN_AHEAD_S = 24 * 3600;
/** How far ahead a quote may be valid: quotes are standing offers, refreshed before they lapse. */
export const MAX_QUOTE_VALIDITY_S = 24 * 3600;
/**
 * How long past a request's assign-by the log waits for its assignment to be anchored before it
 * voids it. The chain refuses an assignment past assign-by, so one the chain never confirmed by then
 * (refused at anchoring, or never sent) never will be: without the void its collateral stayed held
 * in every replica's state for good. The grace covers the anchoring event's way from the chain into
 * the log (a leader failover included).
 */
export const ANCHOR_GRACE_S = 300;

/** Tolerated difference between a sender's clock and ours for times that must not be in the future. */
export const MAX_CLOCK_SKEW_S = 30;

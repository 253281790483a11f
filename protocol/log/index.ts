/**
 * The sequenced log: batches that order events, and the matching state they produce.
 *
 * A replica is a `LogState` (`createLogState({ marketDomain, matcherDomain })`), updated in place.
 * - Leader: `sequence(state, events, time, { term, verified, knownDigest })` validates each event at
 *   the batch time, leaves out (and reports in `dropped`) the invalid and the stale, applies the
 *   rest, and returns the header to sign (`signBatchHeader` under the matcher domain) and
 *   `sealBatch` into the `SignedBatch` to publish.
 * - Follower: `applyBatch(state, batch, { verified, bodyVerified })` or, to check without applying,
 *   `verifyBatch`. Both throw a `LogError` (LOG_*) and leave the state exactly as it was when the
 *   batch breaks the chain (seq, prevHash, term, time), its body hashes, an event's validity, the
 *   assignments the rule gives, or the state digest. Whether the signer holds the lease for
 *   `header.term` is the caller's check (validateBatch returns the signer).
 * - `stateDigest(state)` is what `header.stateDigest` commits to: compare two replicas in O(1).
 */
export * from "./apply-batch.js";
export * from "./apply-event.js";
export * from "./errors.js";
export * from "./log-state.js";
export * from "./sequence.js";

/** The sequenced log: batches that order events, and the matching state they produce. */
export * from "./apply-batch.js";
export * from "./apply-event.js";
export * from "./errors.js";
export * from "./log-state.js";
export * from "./sequence.js";

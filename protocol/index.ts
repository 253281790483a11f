/** The Kalypso protocol: pure message types, encoding, signing and validation rules (no I/O). */
export * from "./bytes.js";
export * from "./codec/messages.js";
export * from "./constants.js";
export * from "./eip712.js";
export * from "./errors.js";
export * from "./log/index.js";
export * from "./matching/index.js";
export type * from "./messages.js";
export * from "./sign.js";
export * from "./signature.js";
export type * from "./validation/context.js";
export * from "./validation/validate.js";
export * from "./validation/validate-message.js";

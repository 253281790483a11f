export type * from "./backend.js";
export * from "./command-backend.js";
export * from "./create-backend.js";
export * from "./errors.js";
export * from "./inputs.js";
export * from "./market-file.js";
export * from "./proof-encoding.js";
export * from "./snarkjs-backend.js";
export * from "./verify.js";

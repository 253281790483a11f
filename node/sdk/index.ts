/** The SDK: request a proof from an app, without running a node yourself. */
export * from "./request-proof.js";

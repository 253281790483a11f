/** The chain layer: contracts, their compilation and deployment, typed clients, the dev chain, events. */
export * from "./abi-codec.js";
export * from "./assignment-batch.js";
export * from "./attestation.js";
export * from "./compile.js";
export * from "./connect.js";
export * from "./contract-client.js";
export * from "./cursor-store.js";
export * from "./deploy.js";
export * from "./dev-system.js";
export * from "./devchain.js";
export * from "./errors.js";
export * from "./event-reader.js";
export * from "./marketplace-client.js";
export * from "./provider.js";
export * from "./receipt.js";
export * from "./registry-client.js";
export * from "./verifiers.js";

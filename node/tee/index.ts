/** The TEE layer: enclaves, attestation verification, registry attestations, private inputs. */
export * from "./attestation-policy.js";
export * from "./attestation-verifier.js";
export * from "./aws-nitro-root.js";
export * from "./cert-chain.js";
export * from "./cose-sign1.js";
export * from "./ecies.js";
export * from "./emulated-attestation.js";
export * from "./emulated-enclave.js";
export * from "./enclave.js";
export * from "./enclave-key.js";
export * from "./errors.js";
export * from "./image-id.js";
export * from "./nitro-document.js";
export * from "./nitro-verifier.js";
export * from "./private-inputs.js";
export * from "./registry-attestation.js";

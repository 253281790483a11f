/**
 * The image id of an enclave: keccak256(PCR0 || PCR1 || PCR2), the three Nitro measurements of the
 * enclave image file, kernel and application. The registry whitelists image ids, so a matcher
 * image is one bytes32 on-chain instead of three 48-byte PCRs.
 */
import { concat, type Hex32, toHex } from "../../protocol/bytes.js";
import { keccak } from "../../protocol/eip712.js";

/** PCR0, PCR1 and PCR2 of an enclave, each 48 bytes (SHA-384). */
export type Pcrs012 = readonly [Uint8Array, Uint8Array, Uint8Array];

/** Bytes of each Nitro PCR (SHA-384). */
export const PCR_BYTES = 48;

/** keccak256(PCR0 || PCR1 || PCR2) as 0x-hex. */
export function imageIdOf(pcrs: Pcrs012): Hex32 {
  return toHex(keccak(concat(pcrs)));
}

/** True when PCR0-2 are all zero: AWS Nitro runs the enclave in debug mode, whose memory the host can read. */
export function isDebugImage(pcrs: Pcrs012): boolean {
  return pcrs.every((p) => p.every((b) => b === 0));
}

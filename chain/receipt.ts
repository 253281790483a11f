/**
 * Waiting for a transaction's receipt by polling it directly. ethers' `wait()` checks the receipt
 * once and then waits for a NEW block: on a dev chain that mines only on transactions, a receipt
 * that was not indexed yet at that first check is then never seen (STACK.md pitfall 7), and the
 * wait hangs until some other transaction is mined.
 */
import type { Provider, TransactionReceipt, TransactionResponse } from "ethers";
import { ChainError } from "./errors.js";

/** How long to wait for a receipt before failing: generous for a remote chain. */
export const RECEIPT_TIMEOUT_MS = 120_000;
const POLL_START_MS = 5;
const POLL_MAX_MS = 500;

/** The receipt of `response`, polled until it exists; a reverted transaction throws as `wait()` does. */
export async function waitForReceipt(
  provider: Provider,
  response: TransactionResponse,
  timeoutMs = RECEIPT_TIMEOUT_MS,
): Promise<TransactionReceipt> {
  const deadline = Date.now() + timeoutMs;
  let delay = POLL_START_MS;
  for (;;) {
    const receipt = await provider.getTransactionReceipt(response.hash);
    if (receipt) {
      // Now that the receipt exists, wait() returns at once, and throws CALL_EXCEPTION on status 0.
      return (await response.wait(1, 0))!;
    }
    if (Date.now() > deadline) {
      throw new ChainError("RPC_ERROR", `no receipt for ${response.hash} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, POLL_MAX_MS);
  }
}

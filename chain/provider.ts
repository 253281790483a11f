/** JSON-RPC providers configured for Kalypso's needs (STACK.md pitfall 6). */
import { JsonRpcProvider } from "ethers";

/** Options for `makeProvider`; every field optional. */
export interface ProviderInit {
  /** Known chain id: skips ethers' network detection round trips. Default: detected. */
  chainId?: number;
  /** How often ethers polls for new blocks and receipts. Default 4000 ms (a remote chain); the dev chain uses 20. */
  pollingIntervalMs?: number;
}

/**
 * A provider for any EVM JSON-RPC endpoint. Caching is off (`cacheTimeout: -1`): right after a
 * mined block, a cached `latest` would be stale. Batching is off: local HTTP gains nothing from it.
 */
export function makeProvider(url: string, init: ProviderInit = {}): JsonRpcProvider {
  const provider = new JsonRpcProvider(url, init.chainId, {
    cacheTimeout: -1,
    batchMaxCount: 1,
    staticNetwork: init.chainId !== undefined,
  });
  provider.pollingInterval = init.pollingIntervalMs ?? 4000;
  return provider;
}

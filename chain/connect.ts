/**
 * One entry point to a chain: the dev chain our code starts (the default), or any EVM JSON-RPC
 * endpoint by configuration. Everything above this works the same on both.
 */
import type { JsonRpcProvider } from "ethers";
import { DevChain, type DevChainInit } from "./devchain.js";
import { makeProvider } from "./provider.js";

/** Where the chain is. */
export interface ChainConfig {
  /** JSON-RPC URL of an existing chain; absent: start a dev chain. */
  rpcUrl?: string;
  /** The endpoint's chain id, when known (skips detection). */
  chainId?: number;
  /** Poll interval for receipts and blocks on an endpoint. Default 1,000 ms. */
  pollingIntervalMs?: number;
  /** Dev chain options, when no rpcUrl is given. */
  devChain?: DevChainInit;
}

/** A connected chain: its provider, the dev chain if we started one, and `stop()`. */
export interface ChainConnection {
  provider: JsonRpcProvider;
  /** Set when this connection started anvil: keys of its funded accounts, mining and time helpers. */
  devChain?: DevChain;
  /** Stops the dev chain we started, or releases the provider. Idempotent. */
  stop(): Promise<void>;
}

/** Connect to `config.rpcUrl`, or start a dev chain when there is none. */
export async function connectChain(config: ChainConfig = {}): Promise<ChainConnection> {
  if (config.rpcUrl) {
    const provider = makeProvider(config.rpcUrl, {
      chainId: config.chainId,
      pollingIntervalMs: config.pollingIntervalMs ?? 1000,
    });
    let stopped = false;
    return {
      provider,
      stop: async () => {
        if (!stopped) provider.destroy();
        stopped = true;
      },
    };
  }
  const devChain = await DevChain.start(config.devChain);
  return { provider: devChain.provider, devChain, stop: () => devChain.stop() };
}

/** What every typed client shares: sending a transaction and mapping failures to coded errors. */
import type {
  BaseContract,
  ContractRunner,
  ContractTransactionResponse,
  InterfaceAbi,
  TransactionReceipt,
} from "ethers";
import { ChainError, ErrorDecoder } from "./errors.js";
import { waitForReceipt } from "./receipt.js";

/** Options every sending method takes. */
export interface SendOptions {
  /** Gas limit; default: estimated by the node (which is also where custom errors surface). */
  gasLimit?: bigint;
}

/** A typed wrapper around one deployed contract. */
export abstract class ContractClient {
  readonly address: string;
  protected readonly decoder: ErrorDecoder;

  protected constructor(
    protected readonly contract: BaseContract,
    address: string,
    abis: readonly InterfaceAbi[],
  ) {
    this.address = address;
    this.decoder = new ErrorDecoder(abis);
  }

  /** The runner (signer) this client sends with. */
  get runner(): ContractRunner | null {
    return this.contract.runner;
  }

  /** Sends, waits for the receipt, and turns every failure into a ChainError. */
  protected async send(
    what: string,
    tx: () => Promise<ContractTransactionResponse>,
  ): Promise<TransactionReceipt> {
    let receipt: TransactionReceipt | null;
    try {
      const response = await tx();
      receipt = await waitForReceipt(response.provider, response);
    } catch (e) {
      throw this.decoder.toChainError(e, what);
    }
    if (!receipt) throw new ChainError("RPC_ERROR", `${what}: no receipt`);
    return receipt;
  }

  /** A view call, with failures as ChainErrors. */
  protected async view<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw this.decoder.toChainError(e, what);
    }
  }

  /** Events of this contract in a receipt, parsed. */
  protected eventsIn(receipt: TransactionReceipt, name: string) {
    const out = [];
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== this.address.toLowerCase()) continue;
      const parsed = this.contract.interface.parseLog(log);
      if (parsed?.name === name) out.push(parsed);
    }
    return out;
  }
}

/** Typed client of the Marketplace contract: every revert arrives as a ChainError with a code. */
import { Contract, type ContractRunner, type InterfaceAbi, type TransactionReceipt } from "ethers";
import type { Address, Hex32 } from "../protocol/bytes.js";
import type { ProofRequest, Signature } from "../protocol/messages.js";
import { requestTuple, toSig } from "./abi-codec.js";
import type { SignedAssignmentBatch } from "./assignment-batch.js";
import { ContractClient, type SendOptions } from "./contract-client.js";

/** A market's rules as `createMarket` takes them. */
export interface MarketParams {
  verifier: Address;
  collateralPerRequest: bigint;
  minProvingTime: number;
  maxProvingTime: number;
  requiresTee: boolean;
  /** Free-form bytes (e.g. JSON naming the circuit); emitted, not stored. */
  metadata?: Uint8Array;
}

/** Request status on-chain, in the contract's enum order. */
export const REQUEST_STATUS = [
  "none",
  "open",
  "assigned",
  "fulfilled",
  "slashed",
  "cancelled",
  "refunded",
] as const;
export type RequestStatus = (typeof REQUEST_STATUS)[number];

/** What fulfil and slash take: read from the RequestAssigned event (`assignedIn`). */
export interface AssignedRecord {
  requestId: Hex32;
  requester: Address;
  marketId: number;
  prover: Address;
  price: bigint;
  inputsHash: Hex32;
  /** Chain time (s) by which the proof must be on-chain. */
  deadline: number;
}

/** A proof for an assigned request. */
export interface ProofSubmission {
  record: AssignedRecord;
  publicInputs: Uint8Array;
  proof: Uint8Array;
}

/** A prover's collateral. */
export interface Collateral {
  free: bigint;
  locked: bigint;
  pending: bigint;
  withdrawableAt: number;
}

function recordTuple(r: AssignedRecord) {
  return {
    requestId: r.requestId,
    requester: r.requester,
    marketId: BigInt(r.marketId),
    prover: r.prover,
    price: r.price,
    inputsHash: r.inputsHash,
  };
}

/** The marketplace: markets, deposits, requests, assignment, proofs, slashing, refunds. */
export class MarketplaceClient extends ContractClient {
  private readonly abi: InterfaceAbi;
  private readonly extraAbis: readonly InterfaceAbi[];

  /** @param extraAbis ABIs whose errors may surface through this contract (the registry's). */
  constructor(
    address: string,
    abi: InterfaceAbi,
    runner: ContractRunner,
    extraAbis: readonly InterfaceAbi[] = [],
  ) {
    super(new Contract(address, abi, runner), address, [abi, ...extraAbis]);
    this.abi = abi;
    this.extraAbis = extraAbis;
  }

  /** The same contract, sending as `runner`. */
  connect(runner: ContractRunner): MarketplaceClient {
    return new MarketplaceClient(this.address, this.abi, runner, this.extraAbis);
  }

  private fn(name: string) {
    return this.contract.getFunction(name);
  }

  /** Create a market; the verifier must accept the sample proof. */
  async createMarket(
    p: MarketParams,
    samplePublicInputs: Uint8Array,
    sampleProof: Uint8Array,
    o: SendOptions = {},
  ): Promise<{ marketId: number; receipt: TransactionReceipt }> {
    const params = { ...p, metadata: p.metadata ?? new Uint8Array(0) };
    const receipt = await this.send("createMarket", () =>
      this.fn("createMarket")(params, samplePublicInputs, sampleProof, o),
    );
    const [event] = this.eventsIn(receipt, "MarketCreated");
    return { marketId: Number(event!.args.marketId), receipt };
  }

  /** Add to the sender's free balance (pays for signed requests). */
  deposit(amount: bigint): Promise<TransactionReceipt> {
    return this.send("deposit", () => this.fn("deposit")({ value: amount }));
  }

  /** Withdraw from the sender's free balance. */
  withdraw(amount: bigint): Promise<TransactionReceipt> {
    return this.send("withdraw", () => this.fn("withdraw")(amount));
  }

  /** Add to the sender's free collateral. */
  depositCollateral(amount: bigint): Promise<TransactionReceipt> {
    return this.send("depositCollateral", () => this.fn("depositCollateral")({ value: amount }));
  }

  /** Move free collateral to pending; withdrawable after the delay. */
  requestCollateralWithdrawal(amount: bigint): Promise<TransactionReceipt> {
    return this.send("requestCollateralWithdrawal", () => this.fn("requestCollateralWithdrawal")(amount));
  }

  /** Withdraw pending collateral after the delay. */
  withdrawCollateral(): Promise<TransactionReceipt> {
    return this.send("withdrawCollateral", () => this.fn("withdrawCollateral")());
  }

  /** Submit a request on-chain, paying maxPrice with it (the sender must be the requester). */
  async submitRequest(
    r: ProofRequest,
    o: SendOptions & { value?: bigint } = {},
  ): Promise<TransactionReceipt> {
    return this.send("submitRequest", () =>
      this.fn("submitRequest")(requestTuple(r), { value: o.value ?? r.maxPrice, gasLimit: o.gasLimit }),
    );
  }

  /** Anchor a leader-signed batch of assignments (anyone may relay it). */
  assign(batch: SignedAssignmentBatch, o: SendOptions = {}): Promise<TransactionReceipt> {
    return this.send("assign", () =>
      this.fn("assign")(batch.term, toSig(batch.leaderSignature), batch.quotes, batch.items, o),
    );
  }

  /** The assignments a receipt of `assign` made, as fulfil and slash take them. */
  assignedIn(receipt: TransactionReceipt): AssignedRecord[] {
    return this.eventsIn(receipt, "RequestAssigned").map((e) => ({
      requestId: e.args.requestId as Hex32,
      requester: (e.args.requester as string).toLowerCase() as Address,
      marketId: Number(e.args.marketId),
      prover: (e.args.prover as string).toLowerCase() as Address,
      price: e.args.price as bigint,
      inputsHash: e.args.inputsHash as Hex32,
      deadline: Number(e.args.deadline),
    }));
  }

  /** Submit one proof. */
  fulfil(p: ProofSubmission, o: SendOptions = {}): Promise<TransactionReceipt> {
    return this.send("fulfil", () =>
      this.fn("fulfil")({ record: recordTuple(p.record), publicInputs: p.publicInputs, proof: p.proof }, o),
    );
  }

  /** Submit many proofs in one transaction. */
  fulfilBatch(ps: readonly ProofSubmission[], o: SendOptions = {}): Promise<TransactionReceipt> {
    const arg = ps.map((p) => ({
      record: recordTuple(p.record),
      publicInputs: p.publicInputs,
      proof: p.proof,
    }));
    return this.send("fulfilBatch", () => this.fn("fulfilBatch")(arg, o));
  }

  /** Slash an assigned request past its deadline; the sender earns the bounty. */
  slash(record: AssignedRecord, o: SendOptions = {}): Promise<TransactionReceipt> {
    return this.send("slash", () => this.fn("slash")(recordTuple(record), o));
  }

  /** Refund an on-chain request past its assign-by time. */
  refund(r: ProofRequest): Promise<TransactionReceipt> {
    return this.send("refund", () => this.fn("refund")(requestTuple(r)));
  }

  /** Cancel an unassigned request as its requester. */
  cancel(r: ProofRequest, o: SendOptions = {}): Promise<TransactionReceipt> {
    return this.send("cancel", () => this.fn("cancel")(requestTuple(r), o));
  }

  /** Cancel with the requester's signed Cancel (anyone may relay it). */
  cancelSigned(r: ProofRequest, signature: Signature, o: SendOptions = {}): Promise<TransactionReceipt> {
    return this.send("cancelSigned", () => this.fn("cancelSigned")(requestTuple(r), toSig(signature), o));
  }

  /** Pay the treasury out (owner only). */
  withdrawTreasury(to: Address): Promise<TransactionReceipt> {
    return this.send("withdrawTreasury", () => this.fn("withdrawTreasury")(to));
  }

  /** Free balance of an account. */
  balanceOf(account: Address): Promise<bigint> {
    return this.view("balanceOf", () => this.fn("balanceOf")(account) as Promise<bigint>);
  }

  /** The treasury's balance. */
  treasury(): Promise<bigint> {
    return this.view("treasury", () => this.fn("treasury")() as Promise<bigint>);
  }

  /** A prover's collateral. */
  async collateralOf(prover: Address): Promise<Collateral> {
    const [free, locked, pending, at] = await this.view("collateralOf", () =>
      this.fn("collateralOf")(prover),
    );
    return { free, locked, pending, withdrawableAt: Number(at) };
  }

  /** Free balances and collateral of many accounts in one call. */
  async accountsOf(accounts: readonly Address[]): Promise<{ free: bigint; collateral: Collateral }[]> {
    const [free, c] = (await this.view("accountsOf", () => this.fn("accountsOf")(accounts))) as [
      bigint[],
      bigint[],
    ];
    return accounts.map((_, i) => ({
      free: free[i]!,
      collateral: { free: c[3 * i]!, locked: c[3 * i + 1]!, pending: c[3 * i + 2]!, withdrawableAt: 0 },
    }));
  }

  /** A request's status and deadline (0 unless assigned). */
  async requestState(requestId: Hex32): Promise<{ status: RequestStatus; deadline: number }> {
    const [s, d] = await this.view("requestState", () => this.fn("requestState")(requestId));
    return { status: REQUEST_STATUS[Number(s)]!, deadline: Number(d) };
  }

  /** A market's rules. */
  async market(marketId: number): Promise<Omit<MarketParams, "metadata">> {
    const m = await this.view("marketOf", () => this.fn("marketOf")(marketId));
    return {
      verifier: (m.verifier as string).toLowerCase() as Address,
      collateralPerRequest: m.collateralPerRequest,
      minProvingTime: Number(m.minProvingTime),
      maxProvingTime: Number(m.maxProvingTime),
      requiresTee: m.requiresTee,
    };
  }
}

/**
 * Chain errors as coded domain errors. Every custom error of our contracts maps to one code (a test
 * checks the table covers every error in the ABIs); ethers' CALL_EXCEPTION and RPC failures map to
 * the codes below it. Callers branch on `code`.
 */
import { type ErrorDescription, Interface, type InterfaceAbi, isError } from "ethers";
import { KalypsoError } from "../protocol/errors.js";

/** Solidity custom error name -> code. */
export const CONTRACT_ERROR_CODES = {
  SignatureMalformed: "SIGNATURE_MALFORMED",
  SignatureHighS: "SIGNATURE_HIGH_S",
  SignerMismatch: "SIGNER_MISMATCH",
  InsufficientFreeCollateral: "INSUFFICIENT_FREE_COLLATERAL",
  NothingPending: "NOTHING_PENDING",
  WithdrawalNotReady: "WITHDRAWAL_NOT_READY",
  AmountTooLarge: "AMOUNT_TOO_LARGE",
  TransferFailed: "TRANSFER_FAILED",
  ZeroAmount: "ZERO_AMOUNT",
  InsufficientBalance: "INSUFFICIENT_BALANCE",
  NotOwner: "NOT_OWNER",
  MarketNotFound: "MARKET_NOT_FOUND",
  BadProvingTimeBounds: "BAD_PROVING_TIME_BOUNDS",
  ZeroCollateral: "ZERO_COLLATERAL",
  SampleProofRejected: "SAMPLE_PROOF_REJECTED",
  NotAContract: "NOT_A_CONTRACT",
  WrongStatus: "WRONG_STATUS",
  NotRequester: "NOT_REQUESTER",
  WrongPayment: "WRONG_PAYMENT",
  ProvingTimeOutOfBounds: "PROVING_TIME_OUT_OF_BOUNDS",
  AssignByPassed: "ASSIGN_BY_PASSED",
  AssignByNotPassed: "ASSIGN_BY_NOT_PASSED",
  RecordMismatch: "RECORD_MISMATCH",
  DeadlinePassed: "DEADLINE_PASSED",
  DeadlineNotPassed: "DEADLINE_NOT_PASSED",
  ProofRejected: "PROOF_REJECTED",
  InputsMismatch: "INPUTS_MISMATCH",
  StaleTerm: "STALE_TERM",
  LeaseExpired: "LEASE_EXPIRED",
  QuoteExpired: "QUOTE_EXPIRED",
  MarketMismatch: "MARKET_MISMATCH",
  PriceAboveMax: "PRICE_ABOVE_MAX",
  ProvingTimeTooLong: "PROVING_TIME_TOO_LONG",
  ProverNotAttested: "PROVER_NOT_ATTESTED",
  QuoteIndexOutOfRange: "QUOTE_INDEX_OUT_OF_RANGE",
  EmptyBatch: "EMPTY_BATCH",
  BadEnclaveKey: "BAD_ENCLAVE_KEY",
  ZeroImage: "ZERO_IMAGE",
  ImageNotAllowed: "IMAGE_NOT_ALLOWED",
  AttestationNotFresh: "ATTESTATION_NOT_FRESH",
  UntrustedAttestationVerifier: "UNTRUSTED_ATTESTATION_VERIFIER",
  WrongBond: "WRONG_BOND",
  AlreadyRegistered: "ALREADY_REGISTERED",
  NotRegistered: "NOT_REGISTERED",
  MatcherSlashed: "MATCHER_SLASHED",
  LeaseNotExpired: "LEASE_NOT_EXPIRED",
  LeaseNotHeld: "LEASE_NOT_HELD",
  NotEquivocation: "NOT_EQUIVOCATION",
  UnknownTerm: "UNKNOWN_TERM",
  NothingToWithdraw: "NOTHING_TO_WITHDRAW",
  NotOperator: "NOT_OPERATOR",
  AlreadyExiting: "ALREADY_EXITING",
  MatcherExiting: "MATCHER_EXITING",
  NotExiting: "NOT_EXITING",
  ExitNotReady: "EXIT_NOT_READY",
} as const;

/** A contract's custom error, by its code. */
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[keyof typeof CONTRACT_ERROR_CODES];

/** Every code the chain layer raises. */
export type ChainErrorCode =
  | ContractErrorCode
  /** A revert without a custom error we know (a panic, a require string, another contract's error). */
  | "CALL_REVERTED"
  /** The node could not be reached or refused the call (network, nonce, funds for gas). */
  | "RPC_ERROR"
  | "CHAIN_COMPILE_FAILED"
  | "DEVCHAIN_START_FAILED"
  | "DEVCHAIN_REVERT_FAILED"
  | "EVENT_READER_FAILED";

/** A failed chain call: `code` says what, `args` are the custom error's decoded arguments. */
export class ChainError extends KalypsoError<ChainErrorCode> {
  readonly errorName: string | undefined;
  readonly args: readonly unknown[];
  constructor(
    code: ChainErrorCode,
    message: string,
    init: { errorName?: string; args?: readonly unknown[]; cause?: unknown } = {},
  ) {
    super(code, message, { cause: init.cause });
    this.errorName = init.errorName;
    this.args = init.args ?? [];
  }
}

/** Decodes revert data with the errors of the given ABIs (duplicates across contracts are merged). */
export class ErrorDecoder {
  private readonly iface: Interface;
  constructor(abis: readonly InterfaceAbi[]) {
    const seen = new Set<string>();
    const fragments: unknown[] = [];
    for (const abi of abis) {
      for (const f of new Interface(abi).fragments) {
        if (f.type !== "error") continue;
        const sig = f.format("sighash");
        if (!seen.has(sig)) {
          seen.add(sig);
          fragments.push(f);
        }
      }
    }
    this.iface = new Interface(fragments as InterfaceAbi);
  }

  /** The custom error in `data`, if it is one of ours. */
  parse(data: string | null | undefined): ErrorDescription | null {
    if (!data || data === "0x") return null;
    try {
      return this.iface.parseError(data);
    } catch {
      return null;
    }
  }

  /** Any error thrown by ethers while calling our contracts, as a ChainError. */
  toChainError(e: unknown, what: string): ChainError {
    if (e instanceof ChainError) return e;
    const data = revertData(e);
    const parsed = this.parse(data);
    if (parsed) {
      const code = (CONTRACT_ERROR_CODES as Record<string, ContractErrorCode>)[parsed.name];
      const args = [...parsed.args];
      const shown = args.map((a) => String(a)).join(", ");
      return new ChainError(code ?? "CALL_REVERTED", `${what} reverted: ${parsed.name}(${shown})`, {
        errorName: parsed.name,
        args,
        cause: e,
      });
    }
    if (isError(e, "CALL_EXCEPTION")) {
      return new ChainError("CALL_REVERTED", `${what} reverted: ${e.shortMessage}`, { cause: e });
    }
    const message = e instanceof Error ? e.message : String(e);
    return new ChainError("RPC_ERROR", `${what} failed: ${message}`, { cause: e });
  }
}

/** Revert data wherever ethers or the node put it. */
function revertData(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && typeof x === "object" && depth < 5; depth++) {
    const o = x as { data?: unknown; error?: unknown; info?: { error?: unknown }; cause?: unknown };
    if (typeof o.data === "string" && o.data.startsWith("0x")) return o.data;
    if (o.data && typeof o.data === "object" && typeof (o.data as { data?: unknown }).data === "string") {
      return (o.data as { data: string }).data;
    }
    x = o.error ?? o.info?.error ?? o.cause;
  }
  return undefined;
}

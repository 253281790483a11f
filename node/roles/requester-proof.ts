/**
 * The proof of a fulfilled request, read from the transaction that fulfilled it: RequestFulfilled
 * carries no proof (logs are costly), but the calldata of `fulfil` / `fulfilBatch` does, and it is
 * exactly what the verifier accepted.
 */
import { Interface, type Provider } from "ethers";
import { fromHex, type Hex32 } from "../../protocol/bytes.js";

const RECORD =
  "(bytes32 requestId,address requester,uint64 marketId,address prover,uint96 price,bytes32 inputsHash)";
const SUBMISSION = `(${RECORD} record,bytes publicInputs,bytes proof)`;
// The two entry points that carry proofs, as the Marketplace declares them (chain/contracts/Requests.sol).
const FULFIL = new Interface([
  `function fulfil(${SUBMISSION} p)`,
  `function fulfilBatch(${SUBMISSION}[] ps)`,
]);

/** A proof and its public inputs as submitted on-chain. */
export interface SubmittedProof {
  proof: Uint8Array;
  publicInputs: Uint8Array;
}

type Submission = { record: { requestId: string }; publicInputs: string; proof: string };

/** The submission for `requestId` in `fulfil`/`fulfilBatch` calldata, if it is there. */
export function proofFromCalldata(data: string, requestId: Hex32): SubmittedProof | undefined {
  let parsed: ReturnType<Interface["parseTransaction"]>;
  try {
    parsed = FULFIL.parseTransaction({ data });
  } catch {
    return undefined; // another contract's call (a relayer's multicall, say): nothing to read here
  }
  if (!parsed) return undefined;
  const list = (parsed.name === "fulfil" ? [parsed.args[0]] : [...parsed.args[0]]) as Submission[];
  const s = list.find((x) => x.record.requestId.toLowerCase() === requestId.toLowerCase());
  return s ? { proof: fromHex(s.proof), publicInputs: fromHex(s.publicInputs) } : undefined;
}

/** The proof `txHash` submitted for `requestId`, read from its calldata. */
export async function proofFromTransaction(
  provider: Provider,
  txHash: string,
  requestId: Hex32,
): Promise<SubmittedProof | undefined> {
  const tx = await provider.getTransaction(txHash);
  return tx ? proofFromCalldata(tx.data, requestId) : undefined;
}

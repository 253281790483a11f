/**
 * The generated proof verifiers (`contracts/verifiers/`) compiled and deployed like our own
 * contracts: through `compileContracts` (so cached), with the IProofVerifier interface they
 * implement. Their contract names are unique per circuit and scheme, so one compile holds them all.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ContractFactory, type Signer } from "ethers";
import type { Address } from "../protocol/index.js";
import { type Artifacts, CONTRACTS_DIR, compileContracts } from "./compile.js";
import { ChainError } from "./errors.js";
import { waitForReceipt } from "./receipt.js";

/** Sources of every verifier wrapper and generated verifier, with the interface they import. */
export function readVerifierSources(dir = CONTRACTS_DIR): Record<string, string> {
  const out: Record<string, string> = {
    "IProofVerifier.sol": readFileSync(join(dir, "IProofVerifier.sol"), "utf8"),
  };
  const vdir = join(dir, "verifiers");
  if (existsSync(vdir)) {
    for (const f of readdirSync(vdir).sort()) {
      if (f.endsWith(".sol")) out[`verifiers/${f}`] = readFileSync(join(vdir, f), "utf8");
    }
  }
  return out;
}

/** Every verifier's artifacts by contract name (e.g. "PoseidonPreimageGroth16"). */
export function compileVerifiers(): Artifacts {
  return compileContracts(readVerifierSources());
}

/** Deploy the verifier wrapper `name` from `signer`; returns its address. */
export async function deployVerifier(signer: Signer, name: string): Promise<Address> {
  const a = compileVerifiers()[name];
  if (!a) {
    const known = Object.keys(compileVerifiers()).filter(
      (n) => !n.endsWith("Verifier") && n !== "IProofVerifier",
    );
    throw new ChainError(
      "CHAIN_COMPILE_FAILED",
      `no verifier contract "${name}"; known: ${known.join(", ")}`,
    );
  }
  const factory = new ContractFactory(a.abi as never, a.bytecode, signer);
  const c = await factory.deploy();
  const tx = c.deploymentTransaction()!;
  await waitForReceipt(tx.provider, tx);
  return (await c.getAddress()).toLowerCase() as Address;
}

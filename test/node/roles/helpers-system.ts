/**
 * Test support for the roles: a dev chain with the system deployed and a market on the REAL
 * PoseidonPreimageGroth16 verifier (compiled with chain/compile, cached), nodes that follow it, and
 * the leader's part played by the test (lay out, sign and anchor an assignment batch).
 */
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { ContractFactory } from "ethers";
import { pino } from "pino";
import { CIRCUITS_DIR } from "../../../chain/circuits/circuits.js";
import { poseidonPreimageInputs } from "../../../chain/circuits/sample-inputs.js";
import {
  type AssignedRecord,
  COLLATERAL,
  CONTRACTS_DIR,
  compileContracts,
  type DevSystem,
  startDevSystem,
} from "../../../chain/index.js";
import { KalypsoNode } from "../../../node/kalypso-node.js";
import type { Logger } from "../../../node/logger.js";
import { loadMarketFile, type MarketDescription } from "../../../node/prover/market-file.js";
import { SnarkjsBackend } from "../../../node/prover/snarkjs-backend.js";
import type { SignedQuote, SignedRequest } from "../../../protocol/index.js";

/** A dev system with a poseidon-preimage Groth16 market on its real verifier. */
export interface PoseidonSystem {
  sys: DevSystem;
  marketId: number;
  market: MarketDescription;
  /** One backend for the whole file: its worker is started once (stop it in `after`). */
  backend: SnarkjsBackend;
}

const WRAPPER = "verifiers/PoseidonPreimageGroth16.sol";

/** Start anvil, deploy, compile and deploy the real verifier, create its market with a real sample proof. */
export async function startPoseidonSystem(): Promise<PoseidonSystem> {
  // A lease longer than any test, so moving chain time to a deadline never ends the leader's term.
  const sys = await startDevSystem({ idleMineIntervalMs: 0 }, { leaseDurationS: 86_400 });
  const backend = new SnarkjsBackend();
  try {
    const sources: Record<string, string> = {};
    for (const f of [WRAPPER, "verifiers/PoseidonPreimageGroth16Verifier.sol", "IProofVerifier.sol"]) {
      sources[f] = readFileSync(join(CONTRACTS_DIR, f), "utf8");
    }
    const a = compileContracts(sources).PoseidonPreimageGroth16!;
    const owner = await sys.signer("owner");
    const contract = await new ContractFactory(a.abi as never, a.bytecode, owner).deploy();
    await contract.deploymentTransaction()!.wait();
    const verifier = (await contract.getAddress()).toLowerCase() as `0x${string}`;
    const file = await loadMarketFile(join(CIRCUITS_DIR, "markets", "poseidon-preimage-groth16.json"));
    const market = { ...file, verifier };
    const sample = await backend.prove(market, poseidonPreimageInputs(7n));
    const { marketId } = await sys.d.marketplace.createMarket(
      {
        verifier,
        collateralPerRequest: COLLATERAL,
        minProvingTime: 10,
        maxProvingTime: 3600,
        requiresTee: false,
      },
      sample.publicInputs,
      sample.proof,
    );
    return { sys, marketId, market, backend };
  } catch (e) {
    await backend.stop();
    await sys.chain.stop();
    throw e;
  }
}

/** A temp data dir for a node (the caller removes it). */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "kalypso-roles-"));
}

/** A node on 127.0.0.1 following the deployment, its chain watcher not started (the role starts it). */
export function startRoleNode(
  sys: DevSystem,
  dataDir: string,
  bootstrap: KalypsoNode[] = [],
  logger?: Logger,
): Promise<KalypsoNode> {
  return KalypsoNode.start({
    dataDir,
    domains: { market: sys.d.marketDomain, matcher: sys.d.registryDomain },
    network: {
      localNetwork: true,
      dht: false,
      bootstrap: bootstrap.map((b) => b.host.getMultiaddrs()[0]!.toString()),
    },
    chain: {
      provider: sys.chain.provider,
      contracts: [
        { label: "marketplace", address: sys.d.marketplace.address, abi: sys.d.artifacts.Marketplace!.abi },
      ],
      confirmations: 0,
      fromBlock: sys.d.deployBlock,
      pollIntervalMs: 100,
      autoStart: false,
    },
    logger,
  });
}

/** The test plays the leader: lay out, sign with the registered leader key, and anchor. */
export async function anchor(
  sys: DevSystem,
  request: SignedRequest,
  quote: SignedQuote,
): Promise<AssignedRecord> {
  const batch = await sys.batch([{ request, quote }]);
  const receipt = await sys.d.marketplace.assign(batch);
  return sys.d.marketplace.assignedIn(receipt)[0]!;
}

/** A pino logger at info whose lines (JSON) land in `lines`, so a test can check what was logged. */
export function captureLogger(lines: string[]): Logger {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return pino({ level: "info" }, sink);
}

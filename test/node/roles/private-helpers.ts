/**
 * Test support for private inputs: a TEE market on the dev chain with an attested prover (an
 * emulated enclave's attestation turned into a registry attestation by the attestation verifier),
 * nodes with their loggers, and a search through LevelDB directories for bytes that must not be there.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { InterfaceAbi } from "ethers";
import { Level } from "level";
import { toSig } from "../../../chain/abi-codec.js";
import { ACCEPT, COLLATERAL, type DevSystem, INPUTS } from "../../../chain/index.js";
import { KalypsoNode } from "../../../node/kalypso-node.js";
import type { Logger } from "../../../node/logger.js";
import type { CircuitInputs } from "../../../node/prover/inputs.js";
import { PRODUCTION_POLICY } from "../../../node/tee/attestation-policy.js";
import { verifyAndSignAttestation } from "../../../node/tee/attestation-verifier.js";
import { loadAwsNitroRoot } from "../../../node/tee/aws-nitro-root.js";
import { EMULATED_IMAGE_ID, EmulatedEnclave } from "../../../node/tee/emulated-enclave.js";
import { fromHex } from "../../../protocol/bytes.js";
import { privateKeyToAddress } from "../../../protocol/signature.js";
import { FakeBackend } from "./helpers-fake-backend.js";

/** Create a market that requires TEE provers (TestVerifier) and attest the prover role's enclave. */
export async function teeMarketWithAttestedProver(
  sys: DevSystem,
): Promise<{ marketId: number; proverEnclave: EmulatedEnclave }> {
  const { marketId } = await sys.d.marketplace.createMarket(
    {
      verifier: sys.d.testVerifier!,
      collateralPerRequest: COLLATERAL,
      minProvingTime: 10,
      maxProvingTime: 3600,
      requiresTee: true,
    },
    INPUTS,
    ACCEPT,
  );
  // The emulated hardware's signing key, trusted by this attestation verifier only.
  const hardwareKey = new Uint8Array(randomBytes(32));
  const chainNowMs = (await sys.chain.now()) * 1000;
  const proverEnclave = new EmulatedEnclave(
    { attestationKey: hardwareKey },
    { privateKey: sys.keys.prover, now: () => chainNowMs },
  );
  await sys.d.registry.setProverImage(EMULATED_IMAGE_ID, true);
  const signed = verifyAndSignAttestation(
    await proverEnclave.attest(new Uint8Array(0)),
    {
      registry: sys.d.registryDomain,
      verifierKey: sys.keys.verifierKey,
      nitroRoot: loadAwsNitroRoot(),
      emulatedSigner: privateKeyToAddress(hardwareKey),
      policy: PRODUCTION_POLICY,
    },
    chainNowMs,
  );
  await (await sys.registry("prover")).attestProver(fromHex(signed.enclaveKey), {
    imageId: signed.imageId,
    timestamp: BigInt(signed.timestamp),
    signature: toSig(signed.signature),
  });
  return { marketId, proverEnclave };
}

/** A node following marketplace (and, for matchers, registry), its watcher started by its role. */
export function startNode(
  sys: DevSystem,
  dataDir: string,
  bootstrap: KalypsoNode[],
  logger: Logger,
  withRegistry = false,
): Promise<KalypsoNode> {
  const { d } = sys;
  const contracts = [
    {
      label: "marketplace",
      address: d.marketplace.address,
      abi: d.artifacts.Marketplace!.abi as InterfaceAbi,
    },
  ];
  if (withRegistry) {
    const abi = d.artifacts.MatcherRegistry!.abi as InterfaceAbi;
    contracts.push({ label: "registry", address: d.registry.address, abi });
  }
  return KalypsoNode.start({
    dataDir,
    domains: { market: d.marketDomain, matcher: d.registryDomain },
    network: {
      localNetwork: true,
      dht: false,
      bootstrap: bootstrap.map((b) => b.host.getMultiaddrs()[0]!.toString()),
    },
    chain: {
      provider: sys.chain.provider,
      contracts,
      confirmations: 0,
      fromBlock: d.deployBlock,
      pollIntervalMs: 50,
      autoStart: false,
    },
    logger,
  });
}

/** A fake backend that remembers the circuit inputs of each proving call (in memory only). */
export class RecordingBackend extends FakeBackend {
  readonly seen: CircuitInputs[] = [];

  override prove(...args: Parameters<FakeBackend["prove"]>) {
    this.seen.push(args[1]);
    return super.prove(...args);
  }
}

/**
 * Where any needle occurs under `dir`: every file's raw bytes (WAL, tables, keys, anything else),
 * and every entry of each LevelDB found there read back through LevelDB (tables may be compressed).
 */
export async function findInLevelDb(dir: string, needles: Uint8Array[]): Promise<string[]> {
  const hits: string[] = [];
  const scan = (where: string, bytes: Uint8Array) => {
    for (const n of needles) if (Buffer.from(bytes).includes(Buffer.from(n))) hits.push(where);
  };
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) hits.push(...(await findInLevelDb(path, needles)));
    else if (e.isFile()) scan(path, await readFile(path));
  }
  if (!entries.some((e) => e.name === "CURRENT")) return hits;
  const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
  await db.open();
  try {
    for await (const [k, v] of db.iterator()) scan(`${dir} entry`, Buffer.concat([k, v]));
  } finally {
    await db.close();
  }
  return hits;
}

/** Whether the LevelDB directories under `dirs` were searched at all (a CURRENT file somewhere). */
export async function hasLevelDb(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.some((e) => e.name === "CURRENT");
}

/** The needles of a witness: its bytes, its secret as text, hex and a 32-byte word. */
export function needlesOf(witness: Uint8Array, secret: bigint): Uint8Array[] {
  const word = fromHex(`0x${secret.toString(16).padStart(64, "0")}`);
  return [witness, new TextEncoder().encode(secret.toString()), word];
}

/** The circuit inputs under FAKE_MARKET's schema with a random public hash and secret preimage. */
export function randomCircuit(): { hash: string; preimage: string; secret: bigint } {
  const rand = () => BigInt(`0x${randomBytes(15).toString("hex")}`) + 10n ** 30n;
  const secret = rand();
  return { hash: rand().toString(), preimage: secret.toString(), secret };
}

/**
 * The one-command devnet (`kalypso devnet`): a dev chain with the system deployed and a real
 * Groth16 market, a bootstrap peer, matchers (emulated TEE) of which one leads, provers with
 * different prices and speeds, and a requester that asks for real proofs, each verified on-chain.
 * Every node is a real libp2p peer on 127.0.0.1 with its own LevelDB. Progress is one line per
 * request step; the summary (and with --json, its JSON as the last line) when N are settled.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Interface } from "ethers";
import { sampleInputs } from "../../chain/circuits/sample-inputs.js";
import { KalypsoNode } from "../../node/kalypso-node.js";
import { createLogger } from "../../node/logger.js";
import { encodeInputsPublic } from "../../node/prover/inputs.js";
import { SnarkjsBackend } from "../../node/prover/snarkjs-backend.js";
import { releaseSnarkjs } from "../../node/prover/verify.js";
import { Prover } from "../../node/roles/prover.js";
import { Requester, type RequestProgressEvent } from "../../node/roles/requester.js";
import { privateKeyToAddress } from "../../protocol/index.js";
import { type DevnetWorld, devnetMatcher, devnetNodeInit, startDevnetWorld } from "./devnet-world.js";
import { type DevnetSummary, progressLine, type RequestTrace, summarize } from "./summary.js";

export interface DevnetOptions {
  /** Requests to submit; 0 keeps submitting until stopped. */
  requests: number;
  /** Stop once `requests` are settled. */
  exit: boolean;
  matchers: number;
  provers: number;
  /** Seconds between requests. */
  intervalS: number;
  logLevel: string;
  /** Stops the devnet (Ctrl-C). */
  signal?: AbortSignal;
}

export const DEFAULT_DEVNET_OPTIONS: DevnetOptions = {
  requests: 5,
  exit: false,
  matchers: 2,
  provers: 3,
  intervalS: 1,
  logLevel: "warn",
};

/** Prover i's offer: cheaper provers are slower (in quoted proving time), so the rule has a choice. */
function proverPricing(i: number) {
  return { price: (3n + BigInt(i)) * 10n ** 14n, provingTime: 60 + 30 * i, capacity: 2 };
}

/** Run a devnet; `print` receives each progress line. Resolves with the summary when done. */
export async function runDevnet(opts: DevnetOptions, print: (line: string) => void): Promise<DevnetSummary> {
  const log = createLogger({ level: opts.logLevel, name: "devnet" });
  const dir = await mkdtemp(join(tmpdir(), "kalypso-devnet-"));
  const stack: (() => Promise<void>)[] = [];
  const traces = new Map<string, RequestTrace>();
  try {
    print(`devnet: starting the dev chain and deploying (data in ${dir})`);
    const world = await startDevnetWorld({
      shape: { matchers: opts.matchers, provers: opts.provers, requesters: 1 },
    });
    stack.push(() => world.stop());
    const market = world.markets[0]!;
    print(`devnet: market ${market.marketId} = ${market.description.name} on verifier ${market.verifier}`);

    const nodeInit = (name: string, bootstrap: string[]) => devnetNodeInit(world, dir, log, name, bootstrap);

    const boot = await KalypsoNode.start({
      ...nodeInit("bootstrap", []),
      chain: { ...nodeInit("bootstrap", []).chain!, autoStart: true },
    });
    stack.push(() => boot.stop());
    const bootAddr = [boot.host.getMultiaddrs()[0]!.toString()];
    print(`devnet: bootstrap peer ${bootAddr[0]}`);

    for (let i = 0; i < world.keys.matchers.length; i++) {
      const node = await KalypsoNode.start(nodeInit(`matcher-${i}`, bootAddr));
      stack.push(() => node.stop());
      const matcher = await devnetMatcher(world, node, i, log);
      matcher.on("role", (r) => print(`matcher-${i}: ${r.role} (term ${r.term})`));
      await matcher.start();
      stack.push(() => matcher.stop());
    }

    for (const [i, key] of world.keys.provers.entries()) {
      const node = await KalypsoNode.start(nodeInit(`prover-${i}`, bootAddr));
      stack.push(() => node.stop());
      const backend = new SnarkjsBackend();
      stack.push(() => backend.stop());
      const prover = new Prover(
        {
          node,
          marketplace: world.deployment.marketplace.connect(await world.signer(key)),
          key,
          markets: new Map([[market.marketId, { description: market.description, backend }]]),
          logger: log.child({ node: `prover-${i}` }),
        },
        {
          pricing: new Map([[market.marketId, proverPricing(i)]]),
          minCollateral: 10n * market.collateralPerRequest,
          capacity: 2,
        },
      );
      await prover.start();
      stack.push(() => prover.stop());
      const p = proverPricing(i);
      print(`prover-${i}: ${privateKeyToAddress(key)} quotes ${p.price} wei, ${p.provingTime} s`);
    }

    const requesterKey = world.keys.requesters[0]!;
    const rnode = await KalypsoNode.start(nodeInit("requester", bootAddr));
    stack.push(() => rnode.stop());
    const requester = new Requester(
      {
        node: rnode,
        marketplace: world.deployment.marketplace.connect(await world.signer(requesterKey)),
        key: requesterKey,
        logger: log.child({ node: "requester" }),
      },
      { depositExtra: 10n ** 17n },
    );
    await requester.start();
    stack.push(() => requester.stop());
    for (const kind of ["published", "assigned", "verified", "slashed", "unassigned"]) {
      requester.addEventListener(kind, (ev) => {
        const p = (ev as RequestProgressEvent).progress;
        const t = traces.get(p.requestId) ?? { requestId: p.requestId, publishedAt: Date.now() };
        traces.set(p.requestId, t);
        if (p.kind === "assigned") {
          t.assignedAt = Date.now();
          t.prover = p.prover;
          t.price = p.price;
        }
        if (p.kind === "verified") t.verifiedAt = Date.now();
        if (p.kind === "slashed") t.failed = "slashed";
        if (p.kind === "unassigned") t.failed = "refunded";
        print(progressLine(t, p.kind, Date.now()));
      });
    }

    const outcomes: Promise<unknown>[] = [];
    for (let n = 0; opts.requests === 0 || n < opts.requests; n++) {
      if (opts.signal?.aborted) break;
      const witness = sampleInputs("poseidon-preimage", BigInt(1000 + n));
      const publicInputs = encodeInputsPublic(market.description.inputs, witness);
      outcomes.push(
        requester
          .requestProof(
            {
              marketId: market.marketId,
              publicInputs,
              witness: new TextEncoder().encode(JSON.stringify(witness)),
              maxPrice: 10n ** 15n,
              provingTime: 300,
              assignWithinS: 120,
            },
            { signal: opts.signal },
          )
          .then(async (o) => {
            if (o.code === "PROVEN") await addGas(world, o.txHash, o.requestId, traces);
          }),
      );
      await new Promise((r) => setTimeout(r, opts.intervalS * 1000));
    }
    await Promise.allSettled(outcomes);
    if (!opts.exit && !opts.signal?.aborted)
      await new Promise((r) => opts.signal?.addEventListener("abort", r));
    return summarize([...traces.values()]);
  } finally {
    for (const stop of stack.reverse()) await stop().catch((err) => log.warn({ err }, "stop failed"));
    await releaseSnarkjs();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Gas that served a request: its share of the assignment batch that anchored it plus its share of
 * the fulfil transaction (both may be batched), from the receipts.
 */
async function addGas(
  world: DevnetWorld,
  fulfilTx: string,
  requestId: string,
  traces: Map<string, RequestTrace>,
) {
  const t = traces.get(requestId);
  if (!t) return;
  const iface = new Interface(world.deployment.artifacts.Marketplace!.abi as never);
  const assigned = iface.getEvent("RequestAssigned")!.topicHash;
  const fulfilled = iface.getEvent("RequestFulfilled")!.topicHash;
  const provider = world.chain.provider;
  const [log] = await provider.getLogs({
    address: world.deployment.marketplace.address,
    topics: [assigned, requestId],
    fromBlock: world.deployment.deployBlock,
  });
  const share = async (tx: string, topic: string) => {
    const r = await provider.getTransactionReceipt(tx);
    if (!r) return 0;
    const n = r.logs.filter((l) => l.topics[0] === topic).length || 1;
    return Number(r.gasUsed) / n;
  };
  t.gas = Math.round(
    (log ? await share(log.transactionHash, assigned) : 0) + (await share(fulfilTx, fulfilled)),
  );
}

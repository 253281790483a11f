import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import type { InterfaceAbi } from "ethers";
import { poseidonPreimageInputs } from "../../../chain/circuits/sample-inputs.js";
import { buildAssignmentBatch, COLLATERAL, ROLE } from "../../../chain/index.js";
import type { KalypsoNode } from "../../../node/kalypso-node.js";
import type { ProverBackend } from "../../../node/prover/backend.js";
import { encodeInputsPublic } from "../../../node/prover/inputs.js";
import type { MarketDescription } from "../../../node/prover/market-file.js";
import { Prover, type ProverInit } from "../../../node/roles/prover.js";
import { encodeWitness } from "../../../node/roles/prover-inputs.js";
import type { JobEvent, JobOutcome } from "../../../node/roles/prover-jobs.js";
import { type ProofOutcome, Requester, type RequestProgress } from "../../../node/roles/requester.js";
import { requestProof } from "../../../node/sdk/request-proof.js";
import {
  type Address,
  assignmentsHash,
  type BatchHeader,
  bytesEqual,
  eventsHash,
  type Hex32,
  type LogEvent,
  MAX_INLINE_INPUTS_BYTES,
  type SignedQuote,
  type SignedRequest,
  signBatchHeader,
  toHex,
  ZERO_HASH,
} from "../../../protocol/index.js";
import { waitFor } from "../../helpers/wait.js";
import { FAKE_MARKET, FakeBackend } from "./helpers-fake-backend.js";
import {
  anchor,
  captureLogger,
  type PoseidonSystem,
  startPoseidonSystem,
  startRoleNode,
  tempDir,
} from "./helpers-system.js";

const PRICE = 4n * 10n ** 14n;
const MAX_PRICE = 10n ** 15n;
const PROVING_TIME_S = 60;

describe("node/roles: requester and prover end to end (anvil, libp2p, LevelDB, real Groth16 on-chain)", function () {
  this.timeout(60_000);
  let ps: PoseidonSystem;
  const dirs: string[] = [];
  const nodes: KalypsoNode[] = [];
  const services: { stop(): Promise<void> }[] = [];

  before(async () => {
    ps = await startPoseidonSystem();
  });
  after(async () => {
    await ps?.backend.stop();
    await ps?.sys.chain.stop();
  });
  afterEach(async () => {
    for (const s of services.splice(0).reverse()) await s.stop();
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  /** A prover node and a requester node joined through it, with their roles started. */
  async function startPair(
    backend: ProverBackend,
    requesterRole: "requester" | "requester2",
    {
      logs = [],
      served,
      proverInit = {},
    }: {
      logs?: string[];
      served?: { marketId: number; market: MarketDescription };
      proverInit?: Partial<ProverInit>;
    } = {},
  ) {
    const { sys } = ps;
    const { marketId, market } = served ?? ps;
    const logger = captureLogger(logs);
    const proverDir = await tempDir();
    const requesterDir = await tempDir();
    dirs.push(proverDir, requesterDir);
    const proverNode = await startRoleNode(sys, proverDir, [], logger);
    nodes.push(proverNode);
    const requesterNode = await startRoleNode(sys, requesterDir, [proverNode]);
    nodes.push(requesterNode);
    const prover = new Prover(
      {
        node: proverNode,
        marketplace: await sys.market("prover"),
        key: sys.keys.prover,
        markets: new Map([[marketId, { description: market, backend }]]),
        logger,
      },
      {
        pricing: new Map([[marketId, { price: PRICE, provingTime: PROVING_TIME_S, capacity: 2 }]]),
        minCollateral: COLLATERAL * 4n,
        backoffMs: 10,
        ...proverInit,
      },
    );
    services.push(prover);
    await prover.start();
    const requester = new Requester({
      node: requesterNode,
      marketplace: await sys.market(requesterRole),
      key: sys.keys[requesterRole],
    });
    services.push(requester);
    await requester.start();
    const outcomes: JobOutcome[] = [];
    for (const kind of ["proven", "skipped", "failed"])
      prover.jobs.addEventListener(kind, (e) => outcomes.push((e as JobEvent).outcome));
    return { proverNode, requesterNode, prover, requester, outcomes };
  }

  /** What the leader would do with what it sees on gossip: the request (at the prover) and the quote (at the requester). */
  async function playLeader(proverNode: KalypsoNode, requesterNode: KalypsoNode, prover: Address) {
    const request = await waitFor(
      () => [...proverNode.pool.requests.values()].at(-1) as SignedRequest | undefined,
      "the request to reach the prover over gossip",
    );
    const quote = await waitFor(
      () =>
        [...requesterNode.pool.quotes.values()].filter((q) => q.quote.prover === prover).at(-1) as
          | SignedQuote
          | undefined,
      "the prover's quote to reach the requester over gossip",
    );
    return anchor(ps.sys, request, quote);
  }

  function request(preimage: bigint) {
    const circuit = poseidonPreimageInputs(preimage);
    return {
      marketId: ps.marketId,
      publicInputs: encodeInputsPublic(ps.market.inputs, circuit),
      witness: encodeWitness(circuit),
      maxPrice: MAX_PRICE,
      provingTime: PROVING_TIME_S,
      assignWithinS: 120,
    };
  }

  it("a request is proven with a real Groth16 proof, verified on-chain, the prover paid its price and the surplus kept", async () => {
    const { sys } = ps;
    const { proverNode, requesterNode, prover, requester } = await startPair(ps.backend, "requester2");
    const mp = sys.d.marketplace;
    const [requesterBefore, proverBefore] = [
      await mp.balanceOf(sys.addr.requester2),
      await mp.balanceOf(prover.address),
    ];
    assert.equal(requesterBefore, 0n, "requester2 starts with no deposit: the requester deposits by itself");
    const progress: RequestProgress[] = [];
    const params = request(42n);
    const pending = requester.requestProof(params, { onProgress: (p) => progress.push(p) });
    pending.catch(() => {}); // awaited below; stop() in afterEach must not leave it unhandled
    const record = await playLeader(proverNode, requesterNode, prover.address);
    const outcome: ProofOutcome = await pending;

    assert.equal(
      outcome.code,
      "PROVEN",
      JSON.stringify(outcome, (_, v) => (typeof v === "bigint" ? String(v) : v)),
    );
    assert.equal(outcome.requestId, record.requestId);
    assert.equal(outcome.prover, prover.address);
    assert.equal(outcome.price, PRICE);
    assert.equal(outcome.proof?.length, 256, "a Groth16 proof: 8 words");
    assert.ok(
      bytesEqual(outcome.publicInputs!, params.publicInputs),
      "proven for the committed public inputs",
    );
    assert.equal((await mp.requestState(record.requestId)).status, "fulfilled");
    assert.deepEqual(
      progress.map((p) => p.kind),
      ["published", "assigned", "verified"],
    );
    const assigned = progress[1] as Extract<RequestProgress, { kind: "assigned" }>;
    assert.deepEqual(
      [assigned.prover, assigned.price, assigned.deadline],
      [prover.address, PRICE, record.deadline],
    );
    assert.ok(outcome.timings.assignedMs! <= outcome.timings.verifiedMs!, "timings in order");

    assert.equal(
      await mp.balanceOf(prover.address),
      proverBefore + PRICE,
      "the prover earned the quoted price",
    );
    assert.equal(
      await mp.balanceOf(sys.addr.requester2),
      MAX_PRICE - PRICE,
      "the surplus over the price stays the requester's",
    );
    assert.equal((await mp.collateralOf(prover.address)).locked, 0n, "collateral unlocked");
    // The announcement on the proofs topic carried the same proof to the requester's node.
    await waitFor(
      async () => (await requesterNode.store.getProof(record.requestId)) !== undefined,
      "the announced proof",
    );
    assert.ok(bytesEqual((await requesterNode.store.getProof(record.requestId))!, outcome.proof!));
  });

  it("a prover whose backend keeps failing retries, gives up with a coded error, and the requester slashes it after the deadline", async () => {
    const { sys } = ps;
    const backend = new FakeBackend();
    backend.failWith = ["PROVER_CRASHED", "PROVER_CRASHED", "PROVER_CRASHED"];
    const logs: string[] = [];
    const { proverNode, requesterNode, prover, requester, outcomes } = await startPair(backend, "requester", {
      logs,
    });
    const mp = sys.d.marketplace;
    await (await sys.market("requester")).deposit(MAX_PRICE);
    const before = await mp.balanceOf(sys.addr.requester);
    const collateralBefore = await mp.collateralOf(prover.address);
    const progress: string[] = [];
    const pending = requester.requestProof(request(43n), { onProgress: (p) => progress.push(p.kind) });
    pending.catch(() => {}); // awaited below; stop() in afterEach must not leave it unhandled
    const record = await playLeader(proverNode, requesterNode, prover.address);

    const [failed] = await waitFor(() => outcomes.length > 0 && outcomes, "the prover to give up");
    assert.equal(failed!.kind, "failed");
    assert.equal((failed as Extract<JobOutcome, { kind: "failed" }>).error.code, "ASSIGNMENT_GAVE_UP");
    assert.equal(backend.calls, 3, "three attempts");
    assert.ok(
      logs.some((l) => l.includes('"code":"ASSIGNMENT_GAVE_UP"')),
      "the give-up is logged with its code",
    );
    assert.equal((await mp.requestState(record.requestId)).status, "assigned", "nothing was submitted");

    // Chain time, not wall time: jump past the deadline; the requester slashes on its own.
    await sys.chain.increaseTime(PROVING_TIME_S + 1);
    const outcome = await pending;
    assert.equal(outcome.code, "SLASHED");
    assert.deepEqual(progress, ["published", "assigned", "slashed"]);
    const compensation = (outcome as Extract<ProofOutcome, { code: "SLASHED" }>).compensation;
    assert.equal(compensation, PRICE + (COLLATERAL * 8n) / 10n, "price back plus 80% of the collateral");
    const bounty = COLLATERAL / 10n; // the requester called slash itself
    assert.equal(await mp.balanceOf(sys.addr.requester), before - PRICE + compensation + bounty);
    const collateralAfter = await mp.collateralOf(prover.address);
    assert.equal(
      collateralAfter.free + collateralAfter.locked,
      collateralBefore.free + collateralBefore.locked - COLLATERAL,
    );
    assert.equal((await mp.requestState(record.requestId)).status, "slashed");
  });

  it("inputs too large to travel inline are fetched by hash from the requester's node", async () => {
    const { sys } = ps;
    // 300 public words (9,600 bytes) on the dev market's TestVerifier, proven by the fake backend.
    const wide: MarketDescription = { ...FAKE_MARKET, inputs: [{ name: "x", public: true, length: 300 }] };
    const backend = new FakeBackend();
    const { proverNode, requesterNode, prover, requester } = await startPair(backend, "requester2", {
      served: { marketId: sys.marketId, market: wide },
    });
    const x = Array.from({ length: 300 }, (_, i) => String(i + 1));
    const publicInputs = encodeInputsPublic(wide.inputs, { x });
    assert.ok(publicInputs.length > MAX_INLINE_INPUTS_BYTES, "too large for a request message");
    const pending = requester.requestProof({
      marketId: sys.marketId,
      publicInputs,
      maxPrice: MAX_PRICE,
      provingTime: PROVING_TIME_S,
      assignWithinS: 120,
    });
    pending.catch(() => {}); // awaited below
    const record = await playLeader(proverNode, requesterNode, prover.address);
    const gossiped = proverNode.pool.requests.get(record.requestId)!;
    assert.equal(gossiped.inputs.length, 0, "the request travelled without its inputs");
    const outcome = await pending;
    assert.equal(outcome.code, "PROVEN");
    assert.deepEqual(backend.calls, 1);
    assert.ok(
      bytesEqual((await proverNode.store.getInput(record.inputsHash))!, publicInputs),
      "fetched and kept",
    );
  });

  it("soft confirmation: the prover starts on a leader-signed batch on the log topic, and submits once it is anchored", async () => {
    const { sys } = ps;
    const mp = sys.d.marketplace;
    const backend = new FakeBackend(false);
    const { proverNode, requesterNode, prover, requester } = await startPair(backend, "requester2", {
      served: { marketId: sys.marketId, market: FAKE_MARKET },
      proverInit: { softConfirm: { isLeader: (signer) => signer === sys.addr.leader } },
    });
    const circuit = { hash: "1005", preimage: "5" };
    const pending = requester.requestProof({
      marketId: sys.marketId,
      publicInputs: encodeInputsPublic(FAKE_MARKET.inputs, circuit),
      witness: encodeWitness(circuit),
      maxPrice: MAX_PRICE,
      provingTime: PROVING_TIME_S,
      assignWithinS: 120,
    });
    pending.catch(() => {}); // awaited below
    const request = await waitFor(
      () => [...proverNode.pool.requests.values()].at(-1),
      "the request at the prover",
    );
    const quote = await waitFor(
      () => [...requesterNode.pool.quotes.values()].find((q) => q.quote.prover === prover.address),
      "the quote at the requester",
    );
    // The leader sequences them: a log batch on gossip, signed with the leader's key, not yet anchored.
    const { assignments } = buildAssignmentBatch(sys.d.marketDomain, [{ request, quote }]);
    const events: LogEvent[] = [
      { kind: "request", signed: { ...request, inputs: new Uint8Array(0), secret: new Uint8Array(0) } },
      { kind: "quote", signed: quote },
    ];
    const header: BatchHeader = {
      term: (await sys.d.registry.lease()).term,
      seq: 0,
      prevHash: ZERO_HASH,
      time: await sys.chain.now(),
      eventsHash: toHex(eventsHash(events)) as Hex32,
      assignmentsHash: toHex(assignmentsHash(assignments)) as Hex32,
      stateDigest: ZERO_HASH,
    };
    const signature = signBatchHeader(sys.d.registryDomain, header, sys.keys.leader);
    await requesterNode.publish({ type: "batch", body: { header, signature, events, assignments } });

    await waitFor(() => backend.inFlight.length === 1, "proving to start on the soft confirmation");
    const id = assignments[0]!.requestId;
    assert.equal((await mp.requestState(id)).status, "none", "proving started before the anchor");
    backend.inFlight[0]!.finish();
    const record = await anchor(sys, request, quote);
    const outcome = await pending;
    assert.equal(outcome.code, "PROVEN", "submitted once anchored");
    assert.equal(outcome.requestId, record.requestId);
    assert.equal(backend.calls, 1, "proven once, not again for the anchor");
  });

  it("the SDK joins through a bootstrap peer, requests a proof, returns it and leaves nothing running", async () => {
    const { sys } = ps;
    const { proverNode, requesterNode, prover } = await startPair(ps.backend, "requester2");
    const kinds: string[] = [];
    const pending = requestProof({
      rpcUrl: sys.chain.url,
      contracts: {
        marketplace: sys.d.marketplace.address as Address,
        registry: sys.d.registry.address as Address,
      },
      privateKey: sys.chain.keys[ROLE.other]!,
      bootstrap: [proverNode.host.getMultiaddrs()[0]!.toString()],
      request: request(44n),
      marketplaceAbi: sys.d.artifacts.Marketplace!.abi as InterfaceAbi,
      confirmations: 0,
      chainPollMs: 100,
      network: { localNetwork: true, dht: false },
      onProgress: (p) => kinds.push(p.kind),
    });
    pending.catch(() => {}); // awaited below
    const record = await playLeader(proverNode, requesterNode, prover.address);
    const outcome = await pending;
    assert.equal(outcome.code, "PROVEN");
    assert.equal(outcome.requestId, record.requestId);
    assert.equal(outcome.proof?.length, 256);
    assert.deepEqual(kinds, ["published", "assigned", "verified"]);
    assert.equal(
      await sys.d.marketplace.balanceOf(sys.addr.other),
      MAX_PRICE - PRICE,
      "deposited maxPrice, paid the price",
    );
    await waitFor(() => proverNode.host.getPeers().length === 1, "the SDK's node to have left");
  });
});

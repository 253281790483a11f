import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { Writable } from "node:stream";
import { pino } from "pino";
import { COLLATERAL, type DevSystem, startDevSystem } from "../../../chain/index.js";
import type { KalypsoNode } from "../../../node/kalypso-node.js";
import { encodeInputsPublic } from "../../../node/prover/inputs.js";
import { Matcher } from "../../../node/roles/matcher.js";
import { isSealedEnvelope, sealWitness } from "../../../node/roles/private-envelope.js";
import { PrivateInputsOpener, PrivateKeyServer } from "../../../node/roles/private-key-service.js";
import { EnclaveKeyDirectory, sealToLeader } from "../../../node/roles/private-keys.js";
import { Prover } from "../../../node/roles/prover.js";
import { encodeWitness } from "../../../node/roles/prover-inputs.js";
import { Requester } from "../../../node/roles/requester.js";
import { EmulatedEnclave } from "../../../node/tee/emulated-enclave.js";
import { type Hex32, keccak, requestId, signRequest, toHex, ZERO_HASH } from "../../../protocol/index.js";
import { waitFor } from "../../helpers/wait.js";
import { FAKE_MARKET } from "./helpers-fake-backend.js";
import { tempDir } from "./helpers-system.js";
import {
  findInLevelDb,
  hasLevelDb,
  needlesOf,
  RecordingBackend,
  randomCircuit,
  startNode,
  teeMarketWithAttestedProver,
} from "./private-helpers.js";

const PRICE = 4n * 10n ** 14n;
const MAX_PRICE = 10n ** 15n;

describe("node/roles: private inputs end to end (anvil, libp2p, LevelDB, emulated enclaves)", function () {
  this.timeout(60_000);
  let sys: DevSystem;
  let teeMarket: number;
  let leaderEnclave: EmulatedEnclave;
  let proverEnclave: EmulatedEnclave;
  let keys: EnclaveKeyDirectory;
  const dirs: string[] = [];
  const nodes: KalypsoNode[] = [];
  const services: { stop(): Promise<void> }[] = [];
  const logs: string[] = [];
  const gossip: Uint8Array[] = [];
  let matcher: Matcher;
  let requester: Requester;
  let plainRequester: Requester;
  let backend: RecordingBackend;
  let client: KalypsoNode;
  let requesterNode: KalypsoNode;
  const refusedCircuit = randomCircuit();

  before(async () => {
    sys = await startDevSystem({ idleMineIntervalMs: 0 }, { leaseDurationS: 86_400 });
    ({ marketId: teeMarket, proverEnclave } = await teeMarketWithAttestedProver(sys));
    keys = new EnclaveKeyDirectory({
      provider: sys.chain.provider,
      registry: sys.d.registry.address,
      fromBlock: sys.d.deployBlock,
    });
    // Every level, debug and trace included: a leak at any level is a leak.
    const sink = new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    });
    const logger = pino({ level: "trace" }, sink);
    const dir = async () => {
      const d = await tempDir();
      dirs.push(d);
      return d;
    };
    const matcherNode = await startNode(sys, await dir(), [], logger, true);
    nodes.push(matcherNode);
    leaderEnclave = new EmulatedEnclave(
      { attestationKey: sys.keys.verifierKey },
      { privateKey: sys.keys.leader },
    );
    matcher = new Matcher(
      {
        node: matcherNode,
        registry: await sys.registry("leader"),
        marketplace: await sys.market("leader"),
        provider: sys.chain.provider,
        enclave: leaderEnclave,
        logger,
      },
      { batchIntervalMs: 100, leaseCheckIntervalMs: 100 },
    );
    services.push(matcher);
    await matcher.start();
    const keyServer = new PrivateKeyServer({ node: matcherNode, enclave: leaderEnclave, keys, logger });
    services.push(keyServer);
    await keyServer.start();

    const proverNode = await startNode(sys, await dir(), [matcherNode], logger);
    nodes.push(proverNode);
    backend = new RecordingBackend();
    const prover = new Prover(
      {
        node: proverNode,
        marketplace: await sys.market("prover"),
        key: sys.keys.prover,
        markets: new Map([[teeMarket, { description: FAKE_MARKET, backend }]]),
        logger,
        privateInputs: new PrivateInputsOpener({ node: proverNode, enclave: proverEnclave, logger }),
      },
      {
        pricing: new Map([[teeMarket, { price: PRICE, provingTime: 60, capacity: 2 }]]),
        minCollateral: COLLATERAL * 4n,
        backoffMs: 10,
      },
    );
    services.push(prover);
    await prover.start();

    requesterNode = await startNode(sys, await dir(), [matcherNode], logger);
    nodes.push(requesterNode);
    requester = new Requester({
      node: requesterNode,
      marketplace: await sys.market("requester"),
      key: sys.keys.requester,
      logger,
      sealWitness: sealToLeader(keys),
    });
    plainRequester = new Requester({
      node: requesterNode,
      marketplace: await sys.market("requester2"),
      key: sys.keys.requester2,
      logger,
    });
    services.push(requester, plainRequester);

    // The spy: an ordinary peer on every topic of the market, recording every payload it receives.
    client = await startNode(sys, await dir(), [matcherNode], logger);
    nodes.push(client);
    client.followMarket(teeMarket, { minProvingTime: 10, maxProvingTime: 3600, requiresTee: true });
    client.host.services.pubsub.addEventListener("message", (e) => {
      gossip.push(e.detail.data);
    });
  });

  after(async () => {
    for (const s of services.splice(0).reverse()) await s.stop();
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    await sys?.chain.stop();
  });

  function params(circuit: { hash: string; preimage: string }) {
    return {
      marketId: teeMarket,
      publicInputs: encodeInputsPublic(FAKE_MARKET.inputs, {
        hash: circuit.hash,
        preimage: circuit.preimage,
      }),
      witness: encodeWitness({ hash: circuit.hash, preimage: circuit.preimage }),
      maxPrice: MAX_PRICE,
      provingTime: 60,
      assignWithinS: 600,
    };
  }

  it("the requester refuses a plaintext witness in a TEE market and a sealed one in an open market (coded)", async () => {
    const refused = (want: string) => (e: unknown) => {
      const err = e as { code: string; cause?: { code: string } };
      return err.code === "REQUEST_BAD_PARAMS" && err.cause?.code === want;
    };
    const p = params(randomCircuit());
    await assert.rejects(plainRequester.requestProof(p), refused("PRIVATE_PLAINTEXT_IN_TEE_MARKET"));
    const sealed = sealWitness(p.witness, [await keys.leader()]);
    await assert.rejects(
      requester.requestProof({ ...p, marketId: sys.marketId, witness: sealed }),
      refused("PRIVATE_SEALED_IN_OPEN_MARKET"),
    );
  });

  it("the matcher never sequences a request that sends its witness in the clear in a TEE market", async () => {
    const p = params(refusedCircuit);
    const request = await sys.request(
      {
        marketId: teeMarket,
        inputsHash: toHex(keccak(p.publicInputs)) as Hex32,
        secretHash: toHex(keccak(p.witness)) as Hex32,
      },
      "requester2",
    );
    const signed = signRequest(sys.d.marketDomain, request, sys.keys.requester2, {
      inputs: p.publicInputs,
      secret: p.witness,
    });
    const id = requestId(sys.d.marketDomain, request);
    const refusals: { requestId: Hex32; code: string }[] = [];
    matcher.on("privateRefused", (r) => refusals.push(r));
    await requesterNode.publish({ type: "request", body: signed });
    const r = await waitFor(() => refusals.find((x) => x.requestId === id), "the matcher to refuse it");
    assert.equal(r.code, "PRIVATE_PLAINTEXT_IN_TEE_MARKET");
    // The control of the searches below: a requester that gossips its witness in the clear is seen.
    const control = needlesOf(p.witness, refusedCircuit.secret);
    assert.ok(gossip.some((g) => control.some((n) => Buffer.from(g).includes(Buffer.from(n)))));
  });

  it("a sealed witness reaches the assigned prover's proving call and appears nowhere else in plaintext", async () => {
    const circuit = randomCircuit();
    const p = params(circuit);
    const outcome = await requester.requestProof(p);
    assert.equal(outcome.code, "PROVEN");
    assert.equal(outcome.code === "PROVEN" && outcome.prover, proverEnclave.address);
    // The prover proved with the right witness, opened in its enclave.
    const call = backend.seen.find((c) => c.hash === circuit.hash);
    assert.equal(call?.preimage, circuit.preimage);
    // The request carried the sealed envelope, committed to by secretHash.
    const stored = await client.store.getRequest(outcome.requestId);
    assert.ok(stored && stored.request.secretHash !== ZERO_HASH);
    const secret = await client.store.getInput(stored.request.secretHash);
    assert.ok(secret && isSealedEnvelope(secret), "the secret is a sealed envelope");
    assert.equal(stored.request.secretHash, toHex(keccak(secret)) as Hex32);

    // Over the network: an enclave the request was not assigned to gets no key it can unwrap, and
    // the assigned one refuses a tampered ciphertext.
    const stranger = new EmulatedEnclave({ attestationKey: sys.keys.verifierKey });
    const asStranger = new PrivateInputsOpener({ node: client, enclave: stranger });
    await assert.rejects(asStranger.open(outcome.requestId, secret), (e) => {
      const err = e as { code: string; cause?: { code: string } };
      return err.code === "PRIVATE_KEY_UNAVAILABLE" && err.cause?.code === "ENCLAVE_DECRYPT_FAILED";
    });
    const tampered = secret.slice();
    tampered[tampered.length - 20]! ^= 1;
    const asProver = new PrivateInputsOpener({ node: client, enclave: proverEnclave });
    await assert.rejects(asProver.open(outcome.requestId, tampered), (e) => {
      return (e as { code: string }).code === "INPUTS_TAMPERED";
    });

    const needles = needlesOf(p.witness, circuit.secret);
    const text = [
      circuit.preimage,
      Buffer.from(p.witness).toString("hex"),
      Buffer.from(p.witness).toString("base64"),
    ];
    assert.ok(gossip.length > 0 && logs.length > 0, "gossip and logs were captured");
    const inGossip = gossip.filter((g) => needles.some((n) => Buffer.from(g).includes(Buffer.from(n))));
    assert.deepEqual(inGossip, [], "plaintext in captured gossip");
    assert.deepEqual(
      logs.filter((l) => text.some((t) => l.includes(t))),
      [],
      "plaintext in a log line",
    );
    assert.ok(
      logs.some((l) => l.includes("input key re-wrapped to the prover")),
      "the key went through the leader",
    );
    for (const s of services.splice(0).reverse()) await s.stop();
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    for (const d of dirs) assert.ok(await hasLevelDb(d), `a LevelDB under ${d}`);
    for (const d of dirs) assert.deepEqual(await findInLevelDb(d, needles), [], `plaintext in LevelDB ${d}`);
    // The same search finds the witness that was sent in the clear: it would find ours.
    const control = needlesOf(params(refusedCircuit).witness, refusedCircuit.secret);
    assert.ok(
      (await findInLevelDb(dirs.at(-1)!, control)).length > 0,
      "the search finds a witness stored in the clear",
    );
  });
});

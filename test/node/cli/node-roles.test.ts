import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sampleInputs } from "../../../chain/circuits/sample-inputs.js";
import { toHex } from "../../../protocol/index.js";
import { type DevnetWorld, startDevnetWorld } from "../../../sim/devnet/devnet-world.js";
import { waitFor } from "../../helpers/wait.js";
import { BIN, runCli } from "./run-cli.js";

/** A long-running `kalypso node` process and everything it printed. */
interface NodeProcess {
  child: ChildProcess;
  out: () => string;
}

function startNode(args: string[], env: NodeJS.ProcessEnv): NodeProcess {
  const child = spawn(process.execPath, [BIN, "node", ...args], {
    env: { ...process.env, LOG_LEVEL: "info", ...env },
  });
  let out = "";
  child.stdout!.on("data", (b) => {
    out += String(b);
  });
  child.stderr!.on("data", (b) => {
    out += String(b);
  });
  return { child, out: () => out };
}

describe("kalypso node --role, request and status (real processes, dev chain, real Groth16)", function () {
  this.timeout(90_000);
  let world: DevnetWorld;
  let dir = "";
  const nodes: NodeProcess[] = [];

  before(async () => {
    world = await startDevnetWorld({ shape: { matchers: 1, provers: 1, requesters: 1 } });
    dir = await mkdtemp(join(tmpdir(), "kalypso-cli-roles-"));
  });
  after(async () => {
    for (const n of nodes.reverse()) {
      if (n.child.exitCode !== null) continue;
      const exited = new Promise((r) => n.child.once("exit", r));
      n.child.kill("SIGINT");
      await exited;
    }
    await world?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("a matcher and a prover node prove a `kalypso request --wait`; status answers over the network", async () => {
    const market = world.markets[0]!;
    const chainFlags = [
      "--chain",
      world.chain.url,
      "--chain-id",
      String(world.chain.chainId),
      "--marketplace",
      world.deployment.marketplace.address,
      "--registry",
      world.deployment.registry.address,
    ];
    const common = [
      ...chainFlags,
      "--local",
      "--confirmations",
      "0",
      "--from-block",
      String(world.deployment.deployBlock),
    ];
    const matcher = startNode(["--role", "matcher", "--data-dir", join(dir, "matcher"), ...common], {
      KALYPSO_PRIVATE_KEY: toHex(world.keys.matchers[0]!),
      KALYPSO_EMULATED_ATTESTATION_KEY: toHex(world.keys.verifier),
    });
    nodes.push(matcher);
    const boot = await waitFor(
      () => /listening (\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\S+)/.exec(matcher.out())?.[1],
      "the matcher's multiaddr",
    );
    assert.match(matcher.out(), /emulated/, "the matcher says its enclave is emulated");

    const prover = startNode(
      [
        "--role",
        "prover",
        "--data-dir",
        join(dir, "prover"),
        "--bootstrap",
        boot,
        "--market-file",
        join(import.meta.dirname, "../../../chain/circuits/markets/poseidon-preimage-groth16.json"),
        "--market-id",
        String(market.marketId),
        "--price",
        "300000000000000",
        "--proving-time",
        "120",
        "--capacity",
        "2",
        "--min-collateral",
        String(10n * market.collateralPerRequest),
        ...common,
      ],
      { KALYPSO_PRIVATE_KEY: toHex(world.keys.provers[0]!) },
    );
    nodes.push(prover);
    await waitFor(() => /"msg":"prover serving"/.test(prover.out()), "the prover to serve", {
      timeoutMs: 30_000,
    });

    const inputs = join(dir, "inputs.json");
    await writeFile(inputs, JSON.stringify(sampleInputs("poseidon-preimage", 77n)));
    const r = await runCli(
      [
        "request",
        "--market",
        String(market.marketId),
        "--inputs",
        inputs,
        "--market-file",
        join(import.meta.dirname, "../../../chain/circuits/markets/poseidon-preimage-groth16.json"),
        "--max-price",
        String(10n ** 15n),
        "--proving-time",
        "300",
        "--bootstrap",
        boot,
        "--wait",
        ...chainFlags,
        "--local",
      ],
      { KALYPSO_PRIVATE_KEY: toHex(world.keys.requesters[0]!), LOG_LEVEL: "warn" },
    );
    assert.equal(
      r.code,
      0,
      `request exit code; stdout:\n${r.stdout}\nstderr:\n${r.stderr}\nprover:\n${prover.out().slice(-3000)}`,
    );
    assert.match(r.stdout, /^published 0x[0-9a-f]{64}/m);
    assert.match(r.stdout, /^assigned 0x[0-9a-f]{64} to 0x[0-9a-f]{40}/m);
    assert.match(r.stdout, /^verified 0x[0-9a-f]{64} in tx/m);
    assert.match(r.stdout, /^proof 0x[0-9a-f]+$/m);

    const q = await runCli(
      [
        "prover",
        "quote",
        "--market",
        String(market.marketId),
        "--price",
        "400000000000000",
        "--bootstrap",
        boot,
        "--local",
        ...chainFlags,
      ],
      { KALYPSO_PRIVATE_KEY: toHex(world.keys.provers[0]!), LOG_LEVEL: "warn" },
    );
    assert.equal(q.code, 0, `quote exit code; stderr:\n${q.stderr}`);
    assert.match(q.stdout, /^quote 0x[0-9a-f]{64} published to [1-9]\d* peers/m);

    // Without --wait the command leaves once the request is published; the network takes it on.
    await writeFile(inputs, JSON.stringify(sampleInputs("poseidon-preimage", 78n)));
    const noWait = await runCli(
      [
        "request",
        "--market",
        String(market.marketId),
        "--inputs",
        inputs,
        "--market-file",
        join(import.meta.dirname, "../../../chain/circuits/markets/poseidon-preimage-groth16.json"),
        "--max-price",
        String(10n ** 15n),
        "--bootstrap",
        boot,
        "--local",
        ...chainFlags,
      ],
      { KALYPSO_PRIVATE_KEY: toHex(world.keys.requesters[0]!), LOG_LEVEL: "warn" },
    );
    assert.equal(noWait.code, 0, `request without --wait; stderr:\n${noWait.stderr}`);
    assert.match(noWait.stdout, /^published 0x[0-9a-f]{64} to [1-9]\d* peers$/m);
    assert.doesNotMatch(noWait.stdout, /^verified/m);

    const s = await runCli(["status", "--peer", boot]);
    assert.equal(s.code, 0, `status exit code; stderr:\n${s.stderr}`);
    const status = JSON.parse(s.stdout) as Record<string, unknown>;
    assert.equal(status.role, "matcher");
    assert.deepEqual(status.markets, [market.marketId]);
  });
});

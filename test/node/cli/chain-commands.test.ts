import assert from "node:assert/strict";
import { join } from "node:path";
import { CIRCUITS_DIR } from "../../../chain/circuits/circuits.js";
import { DevChain, deployKalypso, type KalypsoDeployment } from "../../../chain/index.js";
import { fromHex, privateKeyToAddress } from "../../../protocol/index.js";
import { runCli } from "./run-cli.js";

describe("kalypso market create / prover collateral (real processes, dev chain)", function () {
  this.timeout(90_000);
  let chain: DevChain;
  let deployment: KalypsoDeployment;
  let flags: string[];

  before(async () => {
    chain = await DevChain.start({ accounts: 3 });
    deployment = await deployKalypso(await chain.provider.getSigner(0));
    flags = [
      "--chain",
      chain.url,
      "--chain-id",
      String(chain.chainId),
      "--marketplace",
      deployment.marketplace.address,
      "--registry",
      deployment.registry.address,
    ];
  });
  after(async () => {
    await chain?.stop();
  });

  it("market create deploys the verifier, proves a sample and creates a market visible on-chain", async () => {
    const from = join(CIRCUITS_DIR, "markets", "poseidon-preimage-groth16.json");
    const r = await runCli(["market", "create", "--from", from, "--collateral", "1000", ...flags], {
      KALYPSO_PRIVATE_KEY: chain.keys[1],
    });
    assert.equal(r.code, 0, `exit code; stderr:\n${r.stderr}`);
    assert.match(r.stderr, /deploying verifier PoseidonPreimageGroth16/);
    const id = Number(r.stdout.trim());
    assert.ok(Number.isInteger(id), `stdout is the market id: ${r.stdout}`);
    const market = await deployment.marketplace.market(id);
    assert.equal(market.collateralPerRequest, 1000n);
    assert.equal(market.maxProvingTime, 600);
  });

  it("prover collateral deposits from the node key's account", async () => {
    const key = chain.keys[2]!;
    const r = await runCli(["prover", "collateral", "12345", ...flags], { KALYPSO_PRIVATE_KEY: key });
    assert.equal(r.code, 0, `exit code; stderr:\n${r.stderr}`);
    assert.match(r.stdout, /collateral free=12345/);
    const c = await deployment.marketplace.collateralOf(privateKeyToAddress(fromHex(key)));
    assert.equal(c.free, 12345n);
  });

  const badCases: { args: string[]; field: RegExp }[] = [
    {
      args: ["node", "--role", "prover", "--price", "soon"],
      field: /CONFIG_INVALID: price from the command line/,
    },
    {
      args: ["node", "--role", "prover", "--market-id", "one"],
      field: /CONFIG_INVALID: marketIds from the command line/,
    },
    {
      args: ["request", "--market", "1", "--max-price", "-3"],
      field: /CONFIG_INVALID: maxPrice from the command line/,
    },
    { args: ["prover", "collateral", "lots"], field: /CONFIG_INVALID: amount from the command line/ },
    { args: ["prover", "collateral", "1", "--chain-id", "x"], field: /CONFIG_INVALID: chainId from/ },
    {
      args: ["prover", "collateral", "1", "--marketplace", "0x12"],
      field: /CONFIG_INVALID: marketplace from/,
    },
    {
      args: ["market", "create", "--from", "x.json", "--max-proving-time", "soon"],
      field: /CONFIG_INVALID: maxProvingTime from the command line/,
    },
  ];
  it("bad flags exit 2 with CONFIG_INVALID naming the field", async () => {
    // In parallel: each case is a process start, and they share nothing.
    const results = await Promise.all(badCases.map((c) => runCli(c.args)));
    for (const [i, r] of results.entries()) {
      const c = badCases[i]!;
      assert.equal(r.code, 2, `exit code of ${c.args.join(" ")}; stderr:\n${r.stderr}`);
      assert.match(r.stderr, c.field, `message of ${c.args.join(" ")}`);
    }
  });
});

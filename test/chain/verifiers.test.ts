import assert from "node:assert/strict";
import { join } from "node:path";
import { artifactsOf, CIRCUITS, CIRCUITS_DIR } from "../../chain/circuits/circuits.js";
import { sampleInputs } from "../../chain/circuits/sample-inputs.js";
import {
  COLLATERAL,
  compileVerifiers,
  type DevSystem,
  deployVerifier,
  startDevSystem,
} from "../../chain/index.js";
import { loadMarketFile } from "../../node/prover/market-file.js";
import { SnarkjsBackend } from "../../node/prover/snarkjs-backend.js";
import { releaseSnarkjs } from "../../node/prover/verify.js";

describe("chain: generated verifiers compiled and deployed with our contracts", function () {
  this.timeout(120_000);
  let sys: DevSystem;
  const backend = new SnarkjsBackend();
  before(async () => {
    sys = await startDevSystem({ idleMineIntervalMs: 0 });
  });
  after(async () => {
    await backend.stop();
    await releaseSnarkjs();
    await sys?.chain.stop();
  });

  it("compiles every shipped wrapper, each under the EIP-170 size limit", () => {
    const artifacts = compileVerifiers();
    for (const c of CIRCUITS) {
      for (const scheme of c.schemes) {
        const name = artifactsOf(c, scheme).wrapperContract;
        assert.ok(artifacts[name], `${name} compiled`);
        assert.ok(
          artifacts[name]!.deployedSize <= 24_576,
          `${name} is ${artifacts[name]!.deployedSize} bytes`,
        );
      }
    }
  });

  it("a market on a real Groth16 verifier is created with a real sample proof and refuses a wrong one", async () => {
    const market = await loadMarketFile(join(CIRCUITS_DIR, "markets", "poseidon-preimage-groth16.json"));
    const proof = await backend.prove(market, sampleInputs("poseidon-preimage", 3n));
    const verifier = await deployVerifier(await sys.signer("owner"), "PoseidonPreimageGroth16");
    const params = {
      verifier,
      collateralPerRequest: COLLATERAL,
      minProvingTime: 10,
      maxProvingTime: 600,
      requiresTee: false,
    };
    const { marketId } = await sys.d.marketplace.createMarket(params, proof.publicInputs, proof.proof);
    assert.ok(marketId > sys.marketId, "a new market id");
    const tampered = proof.proof.slice();
    tampered[40] = tampered[40]! ^ 1;
    await assert.rejects(sys.d.marketplace.createMarket(params, proof.publicInputs, tampered), {
      code: "SAMPLE_PROOF_REJECTED",
    });
  });
});

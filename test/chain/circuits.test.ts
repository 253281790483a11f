import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Contract } from "ethers";
import * as snarkjs from "snarkjs";
import {
  artifactsOf,
  CIRCUITS,
  CIRCUITS_DIR,
  PTAU_FILE,
  type Scheme,
} from "../../chain/circuits/circuits.js";
import { rebuildCircuits } from "../../chain/circuits/rebuild.js";
import { sampleInputs } from "../../chain/circuits/sample-inputs.js";
import { generateVerifierSol, generateWrapperSol } from "../../chain/circuits/solidity.js";
import { trimPoseidonConstants } from "../../chain/circuits/trim-poseidon.js";
import { compileVerifiers, DevChain, deployVerifier } from "../../chain/index.js";
import type { ProofResult } from "../../node/prover/backend.js";
import { CommandBackend } from "../../node/prover/command-backend.js";
import { loadMarketFile } from "../../node/prover/market-file.js";
import { SnarkjsBackend } from "../../node/prover/snarkjs-backend.js";
import { releaseSnarkjs } from "../../node/prover/verify.js";
import { toHex } from "../../protocol/bytes.js";

const SHIPPED = CIRCUITS.flatMap((c) => c.schemes.map((scheme) => ({ circuit: c, scheme })));

describe("chain/circuits: the rebuild reproduces the committed artifacts", () => {
  after(releaseSnarkjs);

  for (const { circuit, scheme } of SHIPPED) {
    const a = artifactsOf(circuit, scheme);
    it(`${circuit.name} ${scheme}: verifier, wrapper and vkey regenerate byte for byte from the zkey`, async () => {
      assert.equal(
        await generateVerifierSol(circuit, scheme),
        await readFile(a.verifierSol, "utf8"),
        a.verifierSol,
      );
      assert.equal(generateWrapperSol(circuit, scheme), await readFile(a.wrapperSol, "utf8"), a.wrapperSol);
      const vkey = `${JSON.stringify(await snarkjs.zKey.exportVerificationKey(a.zkey), null, 2)}\n`;
      assert.equal(vkey, await readFile(a.vkey, "utf8"), a.vkey);
    });
  }

  it("rebuilding from source (circom, keys, Solidity) reproduces every committed artifact byte for byte", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kalypso-rebuild-"));
    try {
      const out = { artifacts: join(dir, "artifacts"), verifiers: join(dir, "verifiers") };
      await rebuildCircuits({ out, buildDir: join(dir, "scratch"), ptau: PTAU_FILE });
      for (const { circuit, scheme } of SHIPPED) {
        const fresh = artifactsOf(circuit, scheme, out);
        const committed = artifactsOf(circuit, scheme);
        for (const k of ["wasm", "zkey", "vkey", "verifierSol", "wrapperSol"] as const) {
          assert.ok(
            (await readFile(fresh[k])).equals(await readFile(committed[k])),
            `${committed[k]} differs`,
          );
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("trimming Poseidon constants keeps the asked widths and the fallback branch", () => {
    const src = [
      "function C(t) {",
      "    if (t==2) {",
      "        return [2];",
      "    } else if (t==3) {",
      "        return [3];",
      "    } else if (t==4) {",
      "        return [4];",
      "    } else {",
      "        return [0];",
      "    }",
      "}",
    ].join("\n");
    const out = trimPoseidonConstants(src, [2, 4]);
    assert.match(out, /return \[2\]/);
    assert.match(out, /return \[4\]/);
    assert.doesNotMatch(out, /return \[3\]/, "width 3 dropped");
    assert.match(out, /\} else \{\n\s+return \[0\];\n\s+\}\n\}/, "else branch and closing braces kept");
  });
});

describe("chain/circuits: verifier wrappers on a dev chain", function () {
  this.timeout(120_000);
  let chain: DevChain;
  const backend = new SnarkjsBackend();
  const deployed = new Map<string, { verifier: Contract; result: ProofResult }>();

  before(async () => {
    chain = await DevChain.start({ idleMineIntervalMs: 0 });
    const owner = await chain.provider.getSigner(0);
    for (const { circuit, scheme } of SHIPPED) {
      const a = artifactsOf(circuit, scheme);
      const address = await deployVerifier(owner, a.wrapperContract);
      const market = await loadMarketFile(join(CIRCUITS_DIR, "markets", `${circuit.name}-${scheme}.json`));
      const result = await backend.prove(market, sampleInputs(circuit.name, 11n));
      deployed.set(`${circuit.name}-${scheme}`, {
        verifier: new Contract(address, compileVerifiers()[a.wrapperContract]!.abi as never, chain.provider),
        result,
      });
    }
  });
  after(async () => {
    await backend.stop();
    await chain?.stop();
  });

  it("a proof from the external-command backend (snarkjs' CLI as the prover) verifies on-chain", async () => {
    const circuit = CIRCUITS.find((c) => c.name === "poseidon-preimage")!;
    const a = artifactsOf(circuit, "groth16");
    const base = await loadMarketFile(join(CIRCUITS_DIR, "markets", "poseidon-preimage-groth16.json"));
    const cli = join(createRequire(import.meta.url).resolve("snarkjs"), "..", "..", "cli.js");
    const args = [cli, "groth16", "fullprove", "{input}", a.wasm, a.zkey, "{proof}", "{public}"];
    const market = {
      ...base,
      backend: {
        kind: "command" as const,
        command: process.execPath,
        args,
        output: "snarkjs" as const,
        timeoutMs: 60_000,
      },
    };
    const command = new CommandBackend();
    try {
      const result = await command.prove(market, sampleInputs("poseidon-preimage", 12n));
      const { verifier } = deployed.get("poseidon-preimage-groth16")!;
      assert.equal(await verifier.verify!(toHex(result.publicInputs), toHex(result.proof)), true);
    } finally {
      await command.stop();
    }
  });

  const flip = (b: Uint8Array, i: number) => {
    const c = b.slice();
    c[i]! ^= 1;
    return toHex(c);
  };

  for (const { circuit, scheme } of SHIPPED) {
    const key = `${circuit.name}-${scheme}`;
    describe(`${circuit.contract}${scheme === ("groth16" satisfies Scheme) ? "Groth16" : "Plonk"}`, () => {
      it("accepts a valid proof", async () => {
        const { verifier, result } = deployed.get(key)!;
        assert.equal(await verifier.verify!(toHex(result.publicInputs), toHex(result.proof)), true);
      });
      it("short of gas, reverts instead of failing a valid proof", async () => {
        const { verifier, result } = deployed.get(key)!;
        const args = [toHex(result.publicInputs), toHex(result.proof)];
        const minGas = (await verifier.MIN_GAS!()) as bigint;
        const needed = await verifier.verify!.estimateGas(...args);
        assert.ok(needed > minGas, `the estimate (${needed}) covers the wrapper's floor (${minGas})`);
        // Enough gas for snarkjs' verifier to give up on a precompile and answer false: the wrapper reverts.
        await assert.rejects(
          verifier.verify!.staticCall(...args, { gasLimit: 150_000n }),
          /VerifierOutOfGas/,
        );
      });
      it("rejects a tampered proof (a flipped bit in every word position tried)", async () => {
        const { verifier, result } = deployed.get(key)!;
        for (const word of [0, 3, result.proof.length / 32 - 1]) {
          const tampered = flip(result.proof, 32 * word + 31);
          assert.equal(await verifier.verify!(toHex(result.publicInputs), tampered), false, `word ${word}`);
        }
      });
      it("rejects a wrong public input", async () => {
        const { verifier, result } = deployed.get(key)!;
        const n = result.publicInputs.length / 32;
        for (let i = 0; i < n; i++) {
          const wrong = flip(result.publicInputs, 32 * i + 31);
          assert.equal(await verifier.verify!(wrong, toHex(result.proof)), false, `public input ${i}`);
        }
      });
      it("answers false, without reverting, for bytes of the wrong length or out of the field", async () => {
        const { verifier, result } = deployed.get(key)!;
        const pub = toHex(result.publicInputs);
        const proof = toHex(result.proof);
        assert.equal(await verifier.verify!(pub, `${proof}00`), false, "proof one byte long");
        assert.equal(await verifier.verify!(`${pub}00`, proof), false, "public inputs one byte long");
        assert.equal(await verifier.verify!("0x", "0x"), false, "empty");
        assert.equal(
          await verifier.verify!(`0x${"ff".repeat(result.publicInputs.length)}`, proof),
          false,
          "input >= r",
        );
      });
    });
  }
});

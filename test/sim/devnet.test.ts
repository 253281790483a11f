import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";

const BIN = join(import.meta.dirname, "../../bin/kalypso.js");

describe("kalypso devnet (the main job, a real process)", function () {
  this.timeout(300_000);

  it("settles requests with real Groth16 proofs verified on-chain and ends with the JSON summary", async () => {
    const child = spawn(process.execPath, [BIN, "devnet", "--requests", "3", "--exit", "--json"], {
      env: { ...process.env, LOG_LEVEL: "warn" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => {
      out += String(b);
    });
    child.stderr.on("data", (b) => {
      err += String(b);
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, `exit code; stderr:\n${err.slice(-2000)}\nstdout:\n${out.slice(-2000)}`);
    const lines = out.trim().split("\n");
    const summary = JSON.parse(lines.at(-1)!) as Record<string, number>;
    assert.equal(summary.requests, 3);
    assert.equal(summary.verified, 3, "every proof verified on-chain");
    assert.equal(summary.failed, 0);
    for (const k of ["assign_p50_ms", "proof_p50_ms", "gas_per_request"]) {
      assert.ok(typeof summary[k] === "number" && summary[k]! > 0, `${k} = ${summary[k]}`);
    }
    assert.ok(summary.proof_p50_ms! >= summary.assign_p50_ms!, "a proof is verified after its assignment");
    // A live line per step of every request.
    for (const stage of ["published", "assigned", "verified"]) {
      const progress = lines.filter((l) => new RegExp(`^0x[0-9a-f]{4}\\.\\.[0-9a-f]{4}  ${stage} `).test(l));
      assert.equal(progress.length, 3, `three "${stage}" lines`);
    }
    assert.match(out, /matcher-\d: leader \(term 1\)/, "a matcher took the lease");
  });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifactsOf, CIRCUITS_DIR, circuitByName } from "../../../chain/circuits/circuits.js";
import { sampleInputs } from "../../../chain/circuits/sample-inputs.js";
import { CommandBackend } from "../../../node/prover/command-backend.js";
import { ProverError, type ProverErrorCode } from "../../../node/prover/errors.js";
import { loadMarketFile, type MarketDescription } from "../../../node/prover/market-file.js";
import { releaseSnarkjs, verifyInJs } from "../../../node/prover/verify.js";
import { toHex } from "../../../protocol/bytes.js";
import { waitFor } from "../../helpers/wait.js";

const require = createRequire(import.meta.url);
const SNARKJS_CLI = join(require.resolve("snarkjs"), "..", "..", "cli.js");
const INPUTS = sampleInputs("poseidon-preimage", 9n);

/** A command market for poseidon-preimage-groth16 running `node <args>`. */
async function commandMarket(
  args: string[],
  extra: Record<string, unknown> = {},
): Promise<MarketDescription> {
  const base = await loadMarketFile(join(CIRCUITS_DIR, "markets", "poseidon-preimage-groth16.json"));
  return {
    ...base,
    backend: {
      kind: "command",
      command: process.execPath,
      args,
      output: "kalypso",
      timeoutMs: 30_000,
      ...extra,
    },
  };
}

async function rejectsWith(p: Promise<unknown>, code: ProverErrorCode): Promise<ProverError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}, but it resolved`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProverError, `expected a ProverError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

/** Running, not a zombie: an orphaned grandchild waits for a reaper that a container may not have. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; Z is a zombie, dead but not yet reaped.
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}

/**
 * The pids still running after a deadline of 2 s. The direct child is reaped before `prove` settles;
 * a grandchild gets the same group SIGKILL but dies when the kernel next schedules it.
 */
async function survivors(pids: number[]): Promise<number[]> {
  await waitFor(() => !pids.some(alive), "every process to die", { timeoutMs: 2_000, intervalMs: 10 }).catch(
    () => undefined,
  );
  return pids.filter(alive);
}

/** Polls for the pid file a hanging prover writes (deadline 10 s): no fixed sleeps. */
async function pidsFrom(file: string): Promise<number[]> {
  const text = await waitFor(
    async () => {
      const t = await readFile(file, "utf8").catch(() => "");
      return t.endsWith("\n") && t;
    },
    `the prover to write ${file}`,
    { timeoutMs: 10_000, intervalMs: 20 },
  );
  return text.trim().split(" ").map(Number);
}

// A prover that starts a grandchild, writes "<pid> <grandchild pid>\n" to argv[1], and hangs.
const HANG = `const cp = require("node:child_process");
const g = cp.spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6)"], { stdio: "ignore" });
require("node:fs").writeFileSync(process.argv[1], process.pid + " " + g.pid + "\\n");
setInterval(() => {}, 1e6);`;

describe("node/prover CommandBackend", () => {
  let backend: CommandBackend;
  let dir: string;
  beforeEach(async () => {
    backend = new CommandBackend();
    dir = await mkdtemp(join(tmpdir(), "kalypso-command-test-"));
  });
  afterEach(async () => {
    await backend.stop();
    await rm(dir, { recursive: true, force: true });
  });
  after(releaseSnarkjs);

  it("runs snarkjs' CLI as an external prover (snarkjs output) and the proof verifies in JS", async () => {
    const a = artifactsOf(circuitByName("poseidon-preimage"), "groth16");
    const m = await commandMarket(
      [SNARKJS_CLI, "groth16", "fullprove", "{input}", a.wasm, a.zkey, "{proof}", "{public}"],
      { output: "snarkjs" },
    );
    const result = await backend.prove(m, INPUTS);
    assert.equal(await verifyInJs(m, result), true, "proof from the external prover verifies");
    const tampered = { ...result, publicInputs: result.publicInputs.slice() };
    tampered.publicInputs[31]! ^= 1;
    assert.equal(await verifyInJs(m, tampered), false, "a wrong public input does not verify");
  });

  it("reads kalypso output ({proof, publicInputs} hex) and hands the prover its inputs file", async () => {
    const proof = toHex(new Uint8Array(256).fill(7));
    const pub = toHex(new Uint8Array(32).fill(1));
    // Echo back the preimage it was given, to show the input file reached the prover.
    const code = `const fs = require("node:fs"); const input = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
fs.writeFileSync(process.argv[2], JSON.stringify({ proof: "${proof}", publicInputs: "${pub}", preimage: input.preimage }));`;
    const m = await commandMarket(["-e", code, "{input}", "{proof}"]);
    const result = await backend.prove(m, INPUTS);
    assert.equal(toHex(result.proof), proof);
    assert.equal(toHex(result.publicInputs), pub);
  });

  const failures: [string, string[], ProverErrorCode, RegExp][] = [
    [
      "exit code 3",
      ["-e", `console.error("out of GPU memory"); process.exit(3)`],
      "PROVER_EXIT_NONZERO",
      /exit code 3.*out of GPU memory/,
    ],
    ["killed by a signal", ["-e", `process.kill(process.pid, "SIGSEGV")`], "PROVER_EXIT_NONZERO", /SIGSEGV/],
    [
      "garbage output",
      ["-e", `require("fs").writeFileSync(process.argv[1], "%%garbage")`, "{proof}"],
      "PROVER_BAD_OUTPUT",
      /not JSON/,
    ],
    ["no output file", ["-e", ""], "PROVER_BAD_OUTPUT", /no output file/],
    [
      "proof of the wrong length",
      [
        "-e",
        `require("fs").writeFileSync(process.argv[1], JSON.stringify({ proof: "0x00", publicInputs: "0x${"00".repeat(32)}" }))`,
        "{proof}",
      ],
      "PROVER_BAD_OUTPUT",
      /expected 256/,
    ],
    [
      "not hex",
      ["-e", `require("fs").writeFileSync(process.argv[1], JSON.stringify({ proof: 5 }))`, "{proof}"],
      "PROVER_BAD_OUTPUT",
      /expected \{"proof"/,
    ],
  ];
  for (const [what, args, code, message] of failures) {
    it(`${what} rejects ${code}`, async () => {
      const err = await rejectsWith(backend.prove(await commandMarket(args), INPUTS), code);
      assert.match(err.message, message);
    });
  }

  it("a missing binary rejects PROVER_SPAWN_FAILED", async () => {
    const m = await commandMarket([]);
    const missing = { ...m, backend: { ...m.backend, command: join(dir, "no-such-prover") } };
    await rejectsWith(backend.prove(missing, INPUTS), "PROVER_SPAWN_FAILED");
  });

  it("timeout kills the prover and its children: PROVER_TIMEOUT, no process left", async () => {
    const pidFile = join(dir, "pids");
    const p = backend.prove(await commandMarket(["-e", HANG, pidFile], { timeoutMs: 1_500 }), INPUTS);
    const pids = await pidsFrom(pidFile);
    assert.ok(pids.every(alive), "prover and grandchild run before the timeout");
    await rejectsWith(p, "PROVER_TIMEOUT");
    assert.equal(alive(pids[0]!), false, "the prover itself is gone when prove settles");
    assert.deepEqual(await survivors(pids), [], "no prover process survives the timeout");
  });

  it("abort kills the prover and its children: PROVER_ABORTED, no process left", async () => {
    const pidFile = join(dir, "pids");
    const ac = new AbortController();
    const p = backend.prove(await commandMarket(["-e", HANG, pidFile]), INPUTS, { signal: ac.signal });
    const pids = await pidsFrom(pidFile);
    ac.abort();
    await rejectsWith(p, "PROVER_ABORTED");
    assert.deepEqual(await survivors(pids), [], "no prover process survives the abort");
  });

  it("stop kills running provers (PROVER_STOPPED) and refuses new ones", async () => {
    const pidFile = join(dir, "pids");
    const p = backend.prove(await commandMarket(["-e", HANG, pidFile]), INPUTS);
    const pids = await pidsFrom(pidFile);
    await backend.stop();
    await rejectsWith(p, "PROVER_STOPPED");
    assert.deepEqual(await survivors(pids), [], "no prover process survives stop");
    await rejectsWith(backend.prove(await commandMarket(["-e", ""]), INPUTS), "PROVER_STOPPED");
  });

  it("a prover that exits 0 but leaves a child running: its result is used and the child is killed", async () => {
    const pidFile = join(dir, "pids");
    const proof = toHex(new Uint8Array(256).fill(3));
    const pub = toHex(new Uint8Array(32).fill(2));
    // The grandchild inherits stderr: waiting for the pipe to close would wait for it forever.
    const code = `const cp = require("node:child_process"); const fs = require("node:fs");
const g = cp.spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6)"], { stdio: ["ignore", "ignore", "inherit"] });
fs.writeFileSync(process.argv[2], JSON.stringify({ proof: "${proof}", publicInputs: "${pub}" }));
fs.writeFileSync(process.argv[1], process.pid + " " + g.pid + "\\n");
process.exit(0);`;
    const result = await backend.prove(await commandMarket(["-e", code, pidFile, "{proof}"]), INPUTS);
    assert.equal(toHex(result.proof), proof);
    assert.deepEqual(await survivors(await pidsFrom(pidFile)), [], "the leftover child is killed");
  });

  it("an already aborted signal rejects PROVER_ABORTED without starting the prover", async () => {
    const m = await commandMarket([
      "-e",
      `require("fs").writeFileSync(process.argv[1], "ran")`,
      join(dir, "ran"),
    ]);
    await rejectsWith(backend.prove(m, INPUTS, { signal: AbortSignal.abort() }), "PROVER_ABORTED");
    await assert.rejects(readFile(join(dir, "ran")), "the prover never ran");
  });

  it("leaves no temp files behind", async () => {
    const m = await commandMarket([
      "-e",
      `require("fs").writeFileSync(process.argv[1], process.argv[2])`,
      join(dir, "seen"),
      "{dir}",
    ]);
    await backend.prove(m, INPUTS).catch(() => undefined);
    const workDir = await readFile(join(dir, "seen"), "utf8");
    assert.match(workDir, /kalypso-prover-/, "the prover got its work dir");
    await assert.rejects(readFile(join(workDir, "input.json")), "the prover's work dir is removed");
  });
});

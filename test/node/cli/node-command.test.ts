import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "../../helpers/wait.js";

const BIN = join(import.meta.dirname, "../../../bin/kalypso.js");

describe("kalypso node (a real process)", function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  let dir = "";
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("starts, serves Prometheus metrics, and stops cleanly on SIGINT", async () => {
    dir = await mkdtemp(join(tmpdir(), "kalypso-cli-"));
    child = spawn(process.execPath, [BIN, "node", "--data-dir", dir, "--metrics-port", "0"], {
      env: { ...process.env, LOG_LEVEL: "info" },
    });
    let out = "";
    child.stdout!.on("data", (b) => {
      out += String(b);
    });
    child.stderr!.on("data", (b) => {
      out += String(b);
    });
    const url = await waitFor(
      () => /"url":"(http:\/\/127\.0\.0\.1:\d+\/metrics)"/.exec(out)?.[1],
      "the metrics URL in the log",
    );
    assert.match(
      out,
      /listening \/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/16Uiu2/,
      "prints its multiaddr with a secp256k1 peer id",
    );
    const body = await (await fetch(url)).text();
    assert.match(body, /# TYPE kalypso_gossip_verdicts_total counter/);
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    assert.equal(await exited, 0, `exit code; output:\n${out}`);
    assert.match(out, /"msg":"stopping"/);
  });

  it("names the bad field and exits 2 on bad configuration", async () => {
    child = spawn(process.execPath, [BIN, "node", "--chain-id", "zero"]);
    let err = "";
    child.stderr!.on("data", (b) => {
      err += String(b);
    });
    const code = await new Promise<number | null>((resolve) => child!.once("exit", (c) => resolve(c)));
    assert.equal(code, 2);
    assert.match(err, /CONFIG_INVALID: chainId from the command line must be a positive integer, got "zero"/);
  });
});

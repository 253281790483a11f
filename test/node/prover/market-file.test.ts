import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CIRCUITS_DIR } from "../../../chain/circuits/circuits.js";
import { MarketFileError } from "../../../node/prover/errors.js";
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  loadMarketFile,
  parseMarketDescription,
} from "../../../node/prover/market-file.js";

const VALID = {
  version: 1,
  name: "demo-groth16",
  scheme: "groth16",
  verifier: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  backend: { kind: "snarkjs", wasm: "c.wasm", zkey: "c.zkey" },
  inputs: [{ name: "hash", public: true }, { name: "preimage" }, { name: "path", length: 4 }],
};

function withField(path: string, value: unknown): unknown {
  const copy = structuredClone(VALID) as Record<string, unknown>;
  const keys = path.split(".");
  let o = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[keys.at(-1)!];
  else o[keys.at(-1)!] = value;
  return copy;
}

describe("node/prover market description files", () => {
  it("parses a valid file: absolute paths, lowercase verifier, public inputs kept in order", () => {
    const m = parseMarketDescription(VALID, "/markets");
    assert.equal(m.verifier, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
    assert.deepEqual(m.backend, { kind: "snarkjs", wasm: "/markets/c.wasm", zkey: "/markets/c.zkey" });
    assert.deepEqual(
      m.inputs.map((s) => [s.name, s.public, s.length]),
      [
        ["hash", true, undefined],
        ["preimage", false, undefined],
        ["path", false, 4],
      ],
    );
  });

  it("a command backend gets defaults: kalypso output and a 10-minute timeout", () => {
    const m = parseMarketDescription(withField("backend", { kind: "command", command: "rapidsnark" }), "/m");
    assert.deepEqual(m.backend, {
      kind: "command",
      command: "rapidsnark",
      args: [],
      output: "kalypso",
      timeoutMs: DEFAULT_COMMAND_TIMEOUT_MS,
    });
  });

  const bad: [string, unknown, string][] = [
    ["not an object", [], "(root)"],
    ["wrong version", withField("version", 2), "version"],
    ["name not kebab-case", withField("name", "Demo Market"), "name"],
    ["missing scheme", withField("scheme", undefined), "scheme"],
    ["verifier not an address", withField("verifier", "0x1234"), "verifier"],
    ["verifier missing (null is the way to say not deployed)", withField("verifier", undefined), "verifier"],
    ["unknown backend kind", withField("backend.kind", "gpu"), "backend.kind"],
    ["snarkjs backend for another scheme", withField("scheme", "sp1"), "backend.kind"],
    ["snarkjs backend without zkey", withField("backend.zkey", undefined), "backend.zkey"],
    ["negative timeout", withField("backend.timeoutMs", -1), "backend.timeoutMs"],
    [
      "command args not strings",
      withField("backend", { kind: "command", command: "p", args: [1] }),
      "backend.args",
    ],
    [
      "command output unknown",
      withField("backend", { kind: "command", command: "p", output: "xml" }),
      "backend.output",
    ],
    ["no inputs", withField("inputs", []), "inputs"],
    ["input name not a signal name", withField("inputs", [{ name: "a-b", public: true }]), "inputs[0].name"],
    ["duplicate input", withField("inputs", [{ name: "a", public: true }, { name: "a" }]), "inputs[1].name"],
    ["zero-length array", withField("inputs", [{ name: "a", public: true, length: 0 }]), "inputs[0].length"],
    ["no public input", withField("inputs", [{ name: "a" }]), "inputs"],
    ["unknown top-level field", { ...VALID, price: 5 }, "price"],
  ];
  for (const [what, json, field] of bad) {
    it(`refuses ${what}, naming ${field}`, () => {
      assert.throws(
        () => parseMarketDescription(json, "/m"),
        (e: unknown) => e instanceof MarketFileError && e.code === "MARKET_FILE_INVALID" && e.field === field,
      );
    });
  }

  describe("loadMarketFile", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "kalypso-market-"));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("loads every shipped market file", async () => {
      for (const name of [
        "poseidon-preimage-groth16",
        "poseidon-preimage-plonk",
        "merkle-membership-groth16",
      ]) {
        const m = await loadMarketFile(join(CIRCUITS_DIR, "markets", `${name}.json`));
        assert.equal(m.name, name);
      }
    });

    it("names the artifact that is missing, and says when the file is not JSON or absent", async () => {
      const file = join(dir, "m.json");
      await writeFile(file, JSON.stringify(VALID));
      await assert.rejects(
        loadMarketFile(file),
        (e: unknown) => e instanceof MarketFileError && e.field === "backend.wasm",
      );
      await writeFile(file, "{ nope");
      await assert.rejects(
        loadMarketFile(file),
        (e: unknown) => e instanceof MarketFileError && e.field === "(json)",
      );
      await assert.rejects(
        loadMarketFile(join(dir, "absent.json")),
        (e: unknown) => e instanceof MarketFileError && e.code === "MARKET_FILE_UNREADABLE",
      );
    });
  });
});

import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNodeConfig } from "../../node/config.js";
import { loadIdentity, PRIVATE_KEY_ENV } from "../../node/identity.js";
import { toHex } from "../../protocol/index.js";

describe("node/config and identity", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kalypso-config-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("flags override the environment, which overrides the file, which overrides defaults", async () => {
    const file = join(dir, "node.json");
    await writeFile(
      file,
      JSON.stringify({
        role: "prover",
        chainId: 5,
        dataDir: "/from/file",
        markets: { "3": { minProvingTime: 5, maxProvingTime: 60, requiresTee: false } },
      }),
    );
    const config = await loadNodeConfig({
      file,
      env: {
        KALYPSO_CHAIN_ID: "7",
        KALYPSO_BOOTSTRAP: "/ip4/127.0.0.1/tcp/1/p2p/x, /ip4/127.0.0.1/tcp/2/p2p/y",
      },
      flags: { chainId: "9", role: undefined },
    });
    assert.equal(config.role, "prover", "from the file");
    assert.equal(config.chainId, 9, "the flag beats env and file");
    assert.equal(config.dataDir, "/from/file");
    assert.deepEqual(config.bootstrap, ["/ip4/127.0.0.1/tcp/1/p2p/x", "/ip4/127.0.0.1/tcp/2/p2p/y"]);
    assert.deepEqual(config.markets["3"], { minProvingTime: 5, maxProvingTime: 60, requiresTee: false });
    assert.equal(config.metricsPort, -1, "default");
  });

  const invalid: { name: string; flags?: Record<string, unknown>; file?: unknown; says: string }[] = [
    { name: "unknown role", flags: { role: "boss" }, says: "role from the command line must be one of" },
    {
      name: "bad chain id",
      flags: { chainId: "0" },
      says: "chainId from the command line must be a positive integer",
    },
    {
      name: "bad address",
      flags: { marketplace: "0x12" },
      says: "marketplace from the command line must be a 0x-prefixed 20-byte address",
    },
    { name: "bad port", flags: { metricsPort: "70000" }, says: "metricsPort" },
    {
      name: "bad bootstrap",
      flags: { bootstrap: "localhost:4001" },
      says: "bootstrap from the command line must be a list of multiaddrs",
    },
    { name: "unknown key in file", file: { colour: "blue" }, says: "colour from config file" },
    {
      name: "bad market rules",
      file: { markets: { "1": { minProvingTime: 0, maxProvingTime: 10, requiresTee: false } } },
      says: "markets.1.minProvingTime",
    },
    { name: "file not an object", file: [1, 2], says: "must hold a JSON object" },
  ];
  for (const c of invalid) {
    it(`rejects ${c.name} with CONFIG_INVALID naming the field`, async () => {
      let file: string | undefined;
      if (c.file !== undefined) {
        file = join(dir, "bad.json");
        await writeFile(file, JSON.stringify(c.file));
      }
      await assert.rejects(
        loadNodeConfig({ file, env: {}, flags: c.flags }),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, "CONFIG_INVALID");
          assert.ok(err.message.includes(c.says), err.message);
          return true;
        },
      );
    });
  }

  it("creates a key file with mode 0600, reuses it, refuses one others can read, and prefers the env key", async () => {
    const keyFile = join(dir, "keys", "node.key");
    const first = await loadIdentity(keyFile, {});
    assert.equal(first.created, true);
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    const again = await loadIdentity(keyFile, {});
    assert.equal(again.address, first.address);
    assert.equal(again.peerId.toString(), first.peerId.toString());
    await chmod(keyFile, 0o644);
    await assert.rejects(loadIdentity(keyFile, {}), { code: "IDENTITY_KEY_FILE_MODE" });
    const fromEnv = await loadIdentity(keyFile, { [PRIVATE_KEY_ENV]: toHex(new Uint8Array(32).fill(5)) });
    assert.notEqual(fromEnv.address, first.address);
    await assert.rejects(
      loadIdentity(keyFile, { [PRIVATE_KEY_ENV]: "0x1234" }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "IDENTITY_BAD_KEY");
        assert.ok(!err.message.includes("1234"), "the key text is never echoed");
        return true;
      },
    );
  });
});

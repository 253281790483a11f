import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { peerIdFromString } from "@libp2p/peer-id";
import { KalypsoNode } from "../../node/kalypso-node.js";
import {
  formatBootstrapList,
  parseBootstrapList,
  readBootstrapList,
} from "../../node/network/bootstrap-list.js";
import { waitFor } from "../helpers/wait.js";
import { MARKET_DOMAIN, MATCHER_DOMAIN } from "../protocol/samples.js";

const BIN = join(import.meta.dirname, "../../bin/kalypso.js");
const PEER = "16Uiu2HAm3nhaXRxd794kBVnuDzwJ6hhKFUe5dUtxYX1Czm3TZ6at";

describe("bootstrap", function () {
  this.timeout(60_000);

  describe("bootstrap-list files", () => {
    it("parse multiaddrs with peer ids, skipping comments and blank lines, and round-trip", () => {
      const text = `# kalypso\n\n/ip4/127.0.0.1/tcp/4001/p2p/${PEER}\n  /ip4/10.0.0.1/tcp/4001/p2p/${PEER}  \n`;
      const peers = parseBootstrapList(text);
      assert.deepEqual(peers, [`/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`, `/ip4/10.0.0.1/tcp/4001/p2p/${PEER}`]);
      assert.deepEqual(parseBootstrapList(formatBootstrapList(peers, "again")), peers);
    });
    const bad: [string, RegExp][] = [
      ["/ip4/127.0.0.1/tcp/4001\n", /line 1: .* must end in \/p2p\/<peer id>/],
      [`# ok\nlocalhost:4001/p2p/${PEER}\n`, /line 2: not a multiaddr/],
    ];
    for (const [text, says] of bad) {
      it(`rejects ${JSON.stringify(text.trim())} naming the line`, () => {
        assert.throws(
          () => parseBootstrapList(text),
          (err: Error & { code?: string }) => {
            assert.equal(err.code, "CONFIG_INVALID");
            assert.match(err.message, says);
            return true;
          },
        );
      });
    }
  });

  describe("kalypso bootstrap (a real process)", () => {
    let child: ChildProcess | undefined;
    let node: KalypsoNode | undefined;
    const dirs: string[] = [];
    afterEach(async () => {
      await node?.stop();
      node = undefined;
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child!.once("exit", r));
        child.kill("SIGINT");
        await exited;
      }
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    });

    async function startBootstrap(dataDir: string, listOut: string): Promise<string[]> {
      await rm(listOut, { force: true });
      child = spawn(
        process.execPath,
        [BIN, "bootstrap", "--port", "0", "--local", "--data-dir", dataDir, "--list-out", listOut],
        {
          env: { ...process.env, LOG_LEVEL: "warn" },
        },
      );
      return waitFor(async () => {
        try {
          const list = await readBootstrapList(listOut);
          return list.length > 0 ? list : undefined;
        } catch {
          return undefined;
        }
      }, "the bootstrap list file");
    }

    it("keeps its peer id across restarts, and a node joins through its list file", async () => {
      const dir = await mkdtemp(join(tmpdir(), "kalypso-boot-"));
      dirs.push(dir);
      const listOut = join(dir, "bootstrap.txt");
      const first = await startBootstrap(join(dir, "boot"), listOut);
      const bootPeer = first[0]!.split("/p2p/")[1]!;
      assert.ok(peerIdFromString(bootPeer), "a valid peer id");

      node = await KalypsoNode.start({
        dataDir: join(dir, "node"),
        domains: { market: MARKET_DOMAIN, matcher: MATCHER_DOMAIN },
        network: { localNetwork: true, bootstrap: await readBootstrapList(listOut) },
      });
      await waitFor(
        () => node!.host.getPeers().some((p) => p.toString() === bootPeer),
        "the node connected to the bootstrap peer",
      );
      await node.stop();
      node = undefined;

      const exited = new Promise((r) => child!.once("exit", r));
      child!.kill("SIGINT");
      await exited;
      const second = await startBootstrap(join(dir, "boot"), listOut);
      assert.equal(second[0]!.split("/p2p/")[1], bootPeer, "same key file, same peer id");
      assert.match(await readFile(listOut, "utf8"), /^# kalypso bootstrap peer\n/);
    });
  });
});

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { SimReport } from "../../sim/report.js";
import { renderReportHtml } from "../../sim/report-html.js";

const run = promisify(execFile);

/** Debian's Chromium (`.ci/run` installs it); without it the page cannot be looked at. */
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"];

/** A report as a 12-request run with a failover would write it (numbers are arbitrary). */
function sampleReport(conserved: boolean): SimReport {
  const assign = Array.from({ length: 12 }, (_, i) => 40 + i * 9);
  return {
    scenario: "leader-crash",
    nodes: 7,
    mode: "in-process",
    requests: {
      submitted: 12,
      assigned: 12,
      settled: 12,
      slashed: 0,
      refunded: 0,
      lost: 0,
      assigned_twice: 0,
    },
    money: {
      conserved,
      marketplace_balance_wei: "1000",
      entered_wei: "1000",
      free_wei: "400",
      escrow_wei: "0",
      collateral_free_wei: "500",
      collateral_locked_wei: "0",
      collateral_pending_wei: "0",
      treasury_wei: "100",
      registry_balance_wei: "3000",
      matcher_bonds_wei: "3000",
    },
    latency_ms: {
      assign_p50: 90,
      assign_p99: 139,
      anchor_p50: 400,
      anchor_p99: 700,
      proof_p50: 900,
      proof_p99: 1500,
    },
    request_errors: [],
    settled_per_s: 2.5,
    rss_mb_per_node: 40,
    duration_ms: 4800,
    failover_ms: 1200,
    series: {
      assign_ms: assign,
      anchor_ms: assign.map((x) => x * 4),
      proof_ms: assign.map((x) => x * 10),
      settled_at_ms: assign.map((x) => x * 30),
      pending: Array.from({ length: 20 }, (_, i) => ({
        t: i * 240,
        pending: i < 10 ? i : 20 - i,
        leader: i === 8 ? null : i < 8 ? "matcher-0" : "matcher-1",
      })),
      roles: [
        { t: 0, matcher: "matcher-0", role: "leader", term: 1 },
        { t: 2000, matcher: "matcher-1", role: "leader", term: 2 },
      ],
    },
  };
}

describe("sim/report.html in headless Chromium (as a user opens it)", function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    if (!CHROMIUM) this.skip();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kalypso-report-page-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("renders every chart with its data, the failover and the money verdict", async () => {
    const page = join(dir, "report.html");
    await writeFile(page, renderReportHtml(sampleReport(true)));
    const { stdout: dom } = await run(CHROMIUM!, [...HEADLESS, "--dump-dom", `file://${page}`], {
      maxBuffer: 16 * 2 ** 20,
    });
    const count = (re: RegExp) => dom.match(re)?.length ?? 0;
    assert.equal(count(/<figure>/g), 6, "3 latency histograms, throughput, pending, leader timeline");
    assert.equal(count(/<svg /g), 6, "each figure draws an svg");
    const bars = [...dom.matchAll(/class="bar"><title>(\d+)<\/title>/g)].map((m) => Number(m[1]));
    assert.equal(
      bars.reduce((a, b) => a + b, 0),
      36,
      "the histograms hold every latency (3 series x 12 requests)",
    );
    assert.equal(count(/class="line"/g), 2, "throughput and pending are drawn as lines");
    assert.match(dom, /failover: <b>1200 ms<\/b>/, "failover shown");
    assert.match(dom, /class="ok">Money conserved/, "money verdict shown");
    assert.doesNotMatch(dom, /NaN|undefined/, "no broken numbers on the page");
  });

  it("draws a page that is not blank, and says so when money is not conserved", async () => {
    const page = join(dir, "report.html");
    await writeFile(page, renderReportHtml(sampleReport(false)));
    const shot = join(dir, "shot.png");
    await run(CHROMIUM!, [...HEADLESS, "--window-size=1280,1400", `--screenshot=${shot}`, `file://${page}`]);
    const png = await readFile(shot);
    assert.equal(png.subarray(1, 4).toString(), "PNG", "a PNG screenshot");
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1280, 1400], "at the window's size");
    // A blank white page of this size compresses to a few kB; charts and text do not.
    assert.ok(png.length > 40_000, `screenshot has content (${png.length} bytes)`);
    const { stdout: dom } = await run(CHROMIUM!, [...HEADLESS, "--dump-dom", `file://${page}`]);
    assert.match(dom, /class="bad">Money NOT conserved/, "the failed check is shown as such");
  });
});

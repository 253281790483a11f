/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no network) a user opens
 * from disk: the outcome, a latency histogram, throughput and pending requests over time, the
 * leader timeline, and the money check line by line.
 */
import type { SimReport } from "./report.js";

const W = 560;
const H = 180;
const PAD = 36;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function frame(
  title: string,
  body: string,
  xLabel: string,
  yLabel: string,
  xMax: number,
  yMax: number,
): string {
  return `<figure><figcaption>${esc(title)}</figcaption><svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
<line x1="${PAD}" y1="${H - PAD}" x2="${W - 8}" y2="${H - PAD}" class="axis"/><line x1="${PAD}" y1="8" x2="${PAD}" y2="${H - PAD}" class="axis"/>
<text x="${W - 8}" y="${H - 8}" text-anchor="end">${esc(xLabel)} (max ${Math.round(xMax)})</text>
<text x="4" y="14">${esc(yLabel)} (max ${Math.round(yMax)})</text>${body}</svg></figure>`;
}

const sx = (x: number, xMax: number) => PAD + (x / (xMax || 1)) * (W - PAD - 8);
const sy = (y: number, yMax: number) => H - PAD - (y / (yMax || 1)) * (H - PAD - 16);

/** Histogram of latencies in ms, 12 bins. */
function histogram(title: string, xs: number[]): string {
  if (xs.length === 0) return `<p>${esc(title)}: no data</p>`;
  // Bins span min..max, so latencies bunched far from zero still spread over the chart.
  const max = Math.max(...xs);
  const min = Math.min(...xs);
  const span = Math.max(1, max - min);
  const bins = new Array<number>(12).fill(0);
  for (const x of xs) bins[Math.min(11, Math.floor(((x - min) / span) * 12))]!++;
  const yMax = Math.max(...bins);
  const bw = (W - PAD - 8) / 12;
  const bars = bins
    .map((b, i) => {
      const y = sy(b, yMax);
      return `<rect x="${PAD + i * bw + 1}" y="${y}" width="${bw - 2}" height="${H - PAD - y}" class="bar"><title>${b}</title></rect>`;
    })
    .join("");
  return frame(title, bars, `ms from ${Math.round(min)}`, "requests", max, yMax);
}

/** A step line through (t, y) points. */
function line(title: string, pts: { t: number; y: number }[], yLabel: string): string {
  if (pts.length === 0) return `<p>${esc(title)}: no data</p>`;
  const xMax = Math.max(...pts.map((p) => p.t), 1);
  const yMax = Math.max(...pts.map((p) => p.y), 1);
  const d = pts
    .map((p, i) => `${i === 0 ? "M" : "L"}${sx(p.t, xMax).toFixed(1)},${sy(p.y, yMax).toFixed(1)}`)
    .join(" ");
  return frame(title, `<path d="${d}" class="line"/>`, "ms since start", yLabel, xMax, yMax);
}

/** One coloured band per matcher: which was leading when. */
function leaderTimeline(r: SimReport): string {
  const s = r.series.pending;
  if (s.length === 0) return "<p>leader timeline: no data</p>";
  const names = [...new Set(s.map((x) => x.leader ?? "none"))].sort();
  const xMax = Math.max(s[s.length - 1]!.t, 1);
  const row = (n: string) => 12 + names.indexOf(n) * 22;
  // Room on the left for the matcher names.
  const tx = (t: number) => 70 + (t / xMax) * (W - 78);
  const rects = s
    .map((x, i) => {
      const next = s[i + 1]?.t ?? x.t + 200;
      const n = x.leader ?? "none";
      return `<rect x="${tx(x.t)}" y="${row(n)}" width="${Math.max(1, tx(next) - tx(x.t))}" height="16" class="${n === "none" ? "gap" : "lead"}"/>`;
    })
    .join("");
  const labels = names.map((n) => `<text x="2" y="${row(n) + 12}">${esc(n)}</text>`).join("");
  const h = 24 + names.length * 22;
  return `<figure><figcaption>Leader timeline (ms since start; "none" = no leader)</figcaption><svg width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" role="img" aria-label="leader timeline">${labels}${rects}</svg></figure>`;
}

function moneyTable(r: SimReport): string {
  const rows = Object.entries(r.money)
    .filter(([k]) => k !== "conserved")
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${esc(String(v))}</td></tr>`)
    .join("");
  const verdict = r.money.conserved
    ? `<p class="ok">Money conserved: free + escrow + collateral + treasury = marketplace balance = what entered; registry balance = bonds.</p>`
    : `<p class="bad">Money NOT conserved: see the lines below.</p>`;
  return `${verdict}<table>${rows}</table>`;
}

/** The whole page. */
export function renderReportHtml(r: SimReport): string {
  const q = r.requests;
  const settled = r.series.settled_at_ms.map((t, i) => ({ t, y: i + 1 }));
  const pending = r.series.pending.map((p) => ({ t: p.t, y: p.pending }));
  const extra = [
    r.failover_ms === undefined ? "" : `<li>failover: <b>${r.failover_ms} ms</b></li>`,
    r.graylisted === undefined
      ? ""
      : `<li>attackers graylisted: <b>${r.graylisted.length}/${r.attackers?.length ?? 0}</b></li>`,
    r.partition === undefined
      ? ""
      : `<li>partition: ${esc(r.partition.group.join(", "))} cut off while ${r.partition.submitted_during} requests were sent; healed in <b>${r.partition.heal_ms} ms</b> (every node on log seq ${esc(String(Object.values(r.partition.log_tips)[0]))}, ${r.partition.reconnected ? "reconnected" : "NOT reconnected"})</li>`,
    r.churn === undefined
      ? ""
      : `<li>churn: left ${esc(r.churn.left.join(", "))}; joined ${esc(r.churn.joined.join(", "))}, which settled <b>${r.churn.settled_by_joiners}</b> requests</li>`,
  ].join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kalypso sim: ${esc(r.scenario)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}h1{font-size:20px}
.grid{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0;border:1px solid #ddd;padding:8px;border-radius:6px}
figcaption{font-weight:600;margin-bottom:4px}svg text{font-size:11px;fill:#555}.axis{stroke:#999}
.bar{fill:#4a7bd0}.line{fill:none;stroke:#d0654a;stroke-width:2}.lead{fill:#4aa36a}.gap{fill:#d04a4a}
table{border-collapse:collapse}td{border:1px solid #ddd;padding:3px 8px}.num{text-align:right;font-family:monospace}
.ok{color:#2a7a3a;font-weight:600}.bad{color:#b00;font-weight:600}</style></head><body>
<h1>Kalypso sim — scenario <code>${esc(r.scenario)}</code>, ${r.nodes} nodes (${r.mode})</h1>
<ul><li>requests: ${q.submitted} submitted, ${q.assigned} assigned, ${q.settled} settled, ${q.slashed} slashed, ${q.refunded} refunded, <b>${q.lost} lost</b>, <b>${q.assigned_twice} assigned twice</b></li>
<li>latency: assignment held by its prover p50 ${r.latency_ms.assign_p50} ms, p99 ${r.latency_ms.assign_p99} ms; anchored on-chain p50 ${r.latency_ms.anchor_p50} ms; proof verified p50 ${r.latency_ms.proof_p50} ms; ${r.settled_per_s} settled/s over ${r.duration_ms} ms</li>${extra}</ul>
<div class="grid">
${histogram("Latency: publication to the prover holding its leader-signed assignment", r.series.assign_ms)}
${histogram("Latency: publication to the assignment confirmed on-chain", r.series.anchor_ms)}
${histogram("Latency: publication to proof verified on-chain", r.series.proof_ms)}
${line("Throughput: requests settled over time", settled, "settled")}
${line("Pending requests over time", pending, "pending")}
${leaderTimeline(r)}
</div><h2>Conservation check</h2>${moneyTable(r)}</body></html>
`;
}

import type { IndexedRun, ReportsScan } from './index-types.js';
import { html, SafeHtml } from './escape.js';
import { fmtInt, fmtMs, fmtMsPm } from './format.js';
import { pageHead } from './page-head.js';
import { REPORT_CSS } from './report-style.js';
import { renderTrendSvg, TREND_RUNS } from './trend-svg.js';
import { availabilityOf, mttrOf } from '../measure/availability.js';

// The reports index page: one self-contained file like the reports (no script, no network), relative
// links to each run's report.html / junit.xml / result.json so the whole directory can be archived.

const INDEX_CSS = `
.verdict-pill { display: inline-block; min-width: 64px; text-align: center; font-weight: 700; color: #fff; border-radius: 6px; padding: 1px 8px; font-size: 12px; }
.drills { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px; }
.drills section { margin: 0; }
svg text.strong { font-weight: 700; fill: #1f2328; } svg text.nr { font-size: 13px; font-weight: 700; }
td.links a { margin-right: 8px; }
ul.warnings { color: #9a6700; }
`;

export function renderIndexHtml(scan: ReportsScan): string {
  const { runs, warnings } = scan;
  const drills = groupByDrill(runs);
  const page = html`<!DOCTYPE html>
<html lang="en">
${pageHead(`drill reports (${runs.length} runs)`, REPORT_CSS + INDEX_CSS)}
<body><main>
<section><h1>Drill reports</h1>
<p class="muted" data-testid="index-summary">${fmtInt(runs.length)} run${runs.length === 1 ? '' : 's'} of ${fmtInt(drills.length)} drill${drills.length === 1 ? '' : 's'}, newest first. Rebuilt from the result.json files by <code>drill report &lt;reports dir&gt;</code>.</p>
${warnings.length ? html`<h3>Skipped</h3><ul class="warnings" data-testid="index-warnings">${warnings.map((w) => html`<li>${w}</li>`)}</ul>` : ''}
</section>
${drills.length ? html`<div class="drills">${drills.map((d, i) => drillCard(d.name, d.runs, i))}</div>` : ''}
<section><h2>All runs</h2>${runs.length ? runsTable(runs) : html`<p class="muted" data-testid="no-runs">No run reports yet.</p>`}</section>
</main></body>
</html>
`;
  return page.value;
}

function drillCard(name: string, runs: IndexedRun[], i: number): SafeHtml {
  const latest = runs[0]!;
  const passes = runs.filter((r) => r.verdict === 'pass').length;
  return html`<section data-testid="drill-card"><h2>${name}</h2>
<p class="muted">latest ${verdictPill(latest.verdict)} · ${fmtInt(passes)} of ${fmtInt(runs.length)} runs passed · <code>${latest.drillFile}</code>${runs.length > TREND_RUNS ? ` · trend shows the last ${TREND_RUNS}` : ''}</p>
${availabilityLine(runs)}
<div class="trend-scroll">${renderTrendSvg(runs, i)}</div>
</section>`;
}

/** MTTR over the runs with a measured RTO, success rate, worst case; with the latest declared MTBF, availability, nines and downtime per year. */
function availabilityLine(runs: IndexedRun[]): SafeHtml {
  const passes = runs.filter((r) => r.verdict === 'pass').length;
  const mttr = mttrOf(runs.map((r) => r.rtoMs).filter((v): v is number => v !== null));
  const success = html`success rate <b data-testid="success-rate" data-value="${passes / runs.length}">${fmtPct((passes / runs.length) * 100, 1)}</b>`;
  if (mttr === null) return html`<p data-testid="availability">${success} · no RTO measured yet, so no MTTR</p>`;
  const mtbfMs = runs.find((r) => r.mtbfMs !== null)?.mtbfMs ?? null;
  const a = mtbfMs === null ? null : availabilityOf(mtbfMs, mttr.meanMs);
  // The latest declared objective, checked against the history's MTTR (each run checks its own RTO).
  const floor = runs.find((r) => r.availabilityDeclared !== null)?.availabilityDeclared ?? null;
  const objective =
    a === null || floor === null
      ? ''
      : html` · objective ≥ ${fmtPct(floor, 4)}: <b data-testid="availability-objective" data-state="${a.availability * 100 >= floor ? 'met' : 'missed'}" class="${a.availability * 100 >= floor ? 'met' : 'missed'}">${
          a.availability * 100 >= floor ? '✓ met' : '✗ missed'
        }</b>`;
  // Detection is inside recovery: MTTR runs from the fault, so MTTD is a part of it, not added to it.
  const mttd = mttrOf(runs.map((r) => r.mttdMs).filter((v): v is number => v !== null));
  const detect =
    mttd === null
      ? ''
      : html` · MTTD <b data-testid="mttd" data-value="${mttd.meanMs}">${fmtMs(mttd.meanMs)}</b> <span class="muted">(mean time to the first page over ${fmtInt(mttd.n)} run${mttd.n === 1 ? '' : 's'} with monitoring, ${fmtMs(mttd.minMs)}–${fmtMs(mttd.maxMs)}; part of MTTR, not added to it)</span>`;
  return html`<p data-testid="availability">MTTR <b data-testid="mttr" data-value="${mttr.meanMs}">${fmtMs(mttr.meanMs)}</b> <span class="muted">(mean RTO of ${fmtInt(mttr.n)} run${
    mttr.n === 1 ? '' : 's'
  }, ${fmtMs(mttr.minMs)}–${fmtMs(mttr.maxMs)}, σ ${fmtMs(mttr.stdevMs)})</span>${detect} · worst <b data-testid="worst-rto" data-value="${mttr.maxMs}">${fmtMs(mttr.maxMs)}</b> · ${success}${
    a === null || mtbfMs === null
      ? html` · <span class="muted">declare <code>availability: { mtbf: 90d }</code> for availability</span>`
      : html`<br>with MTBF ${fmtLong(mtbfMs)}: availability <b data-testid="availability-pct" data-value="${a.availability}">${fmtPct(a.availability * 100, 4)}</b> = <b data-testid="nines" data-value="${a.nines}">${a.nines.toFixed(1)} nines</b>, <b data-testid="downtime-year" data-value="${a.downtimePerYearMs}">${fmtLong(a.downtimePerYearMs)}</b> of downtime per year${objective}`
  }</p>`;
}

/** Long spans in the unit people say them in: "90 d", "4.4 h", "26.3 min", else as fmtMs. */
function fmtLong(ms: number): string {
  const trim = (v: number) => v.toFixed(1).replace(/\.0$/, '');
  if (ms >= 86_400_000) return `${trim(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${trim(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${trim(ms / 60_000)} min`;
  return fmtMs(ms);
}

function fmtPct(pct: number, digits: number): string {
  return `${pct.toFixed(digits)} %`;
}

function runsTable(runs: IndexedRun[]): SafeHtml {
  return html`<table data-testid="runs"><thead><tr><th>Started (UTC)</th><th>Drill</th><th>Verdict</th><th class="num">RTO</th><th class="num">Downtime</th><th class="num">Lost writes</th><th class="num">Unexpected</th><th>Reports</th></tr></thead><tbody>
${runs.map((r) => {
  const base = encodeURIComponent(r.dir);
  return html`<tr data-testid="run-row" data-run-id="${r.runId}" data-started="${r.startedAt}">
<td class="num">${r.startedMs === null ? r.startedAt : new Date(r.startedMs).toISOString().replace('T', ' ').slice(0, 19)}</td>
<td>${r.drillName}${r.reason ? html`<div class="muted small">${r.reason}</div>` : ''}</td>
<td>${verdictPill(r.verdict)}</td>
<td class="num">${r.rtoMs === null ? '—' : fmtMsPm(r.rtoMs, r.precisionMs)}${r.rtoDeclaredMs === null ? '' : html`<div class="muted small">≤ ${fmtMs(r.rtoDeclaredMs)}</div>`}</td>
<td class="num">${fmtMs(r.downtimeMs)}</td>
<td class="num${(r.lostWrites ?? 0) > 0 ? ' bad-text' : ''}">${r.lostWrites === null ? '—' : fmtInt(r.lostWrites)}${r.lostDeclared === null ? '' : html`<div class="muted small">≤ ${fmtInt(r.lostDeclared)}</div>`}</td>
<td class="num${(r.unexpectedWrites ?? 0) > 0 ? ' bad-text' : ''}">${r.unexpectedWrites === null ? '—' : fmtInt(r.unexpectedWrites)}</td>
<td class="links">${r.hasReport ? html`<a href="${base}/report.html" data-testid="report-link">report</a>` : html`<span class="muted">no report.html</span>`}${
    r.hasJunit ? html`<a href="${base}/junit.xml">junit</a>` : ''
  }<a href="${base}/result.json">json</a><div class="muted small"><code>${r.runId}</code></div></td></tr>`;
})}
</tbody></table>`;
}

function verdictPill(verdict: string): SafeHtml {
  const cls = ['pass', 'fail', 'error', 'aborted'].includes(verdict) ? verdict : 'error';
  return html`<span class="verdict-pill v-${cls}">${verdict.toUpperCase()}</span>`;
}

/** Drills in the order of their newest run; each with its runs newest first. */
function groupByDrill(runs: readonly IndexedRun[]): { name: string; runs: IndexedRun[] }[] {
  const groups = new Map<string, IndexedRun[]>();
  for (const r of runs) {
    const list = groups.get(r.drillName);
    if (list) list.push(r);
    else groups.set(r.drillName, [r]);
  }
  return [...groups].map(([name, list]) => ({ name, runs: list }));
}

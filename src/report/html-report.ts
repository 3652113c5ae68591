import type { Measured } from '../measure/types.js';
import type { ResultJson } from './result.js';
import { html, SafeHtml } from './escape.js';
import { fmtInt, fmtMs, fmtMsPm, fmtOffsetMs, fmtValue, OBJECTIVE_LABELS } from './format.js';
import { REPORT_CSS } from './report-style.js';
import { renderLatencySvg } from './latency-svg.js';
import { faultView, renderTimelineSvg } from './timeline-svg.js';

/**
 * report.html: one self-contained file (inline CSS and SVG, no script, no external resource; a CSP forbids
 * both in case anything slipped through). Every value from outside is escaped by the `html` template.
 */
export function renderReportHtml(result: ResultJson): string {
  const verdict = String(result.verdict ?? 'error');
  const m = result.measured ?? null;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${verdict.toUpperCase()} · ${result.drill?.name} · drill report</title>
<style>${new SafeHtml(REPORT_CSS)}</style>
</head>
<body><main>
${verdictSection(result, verdict)}
${objectivesSection(result)}
${measuredSection(result, m)}
${timelineSection(result)}
${writesSection(m)}
${faultsSection(result)}
${eventsSection(result)}
${runSection(result)}
</main></body>
</html>
`;
  return page.value;
}

function verdictSection(r: ResultJson, verdict: string): SafeHtml {
  const cls = ['pass', 'fail', 'error', 'aborted'].includes(verdict) ? verdict : 'error';
  return html`<section class="verdict">
<div class="badge v-${cls}">${verdict.toUpperCase()}</div>
<div>
<h1>${r.drill?.name}</h1>
${r.reason ? html`<div class="reason">${r.reason}</div>` : ''}
${r.drill?.description ? html`<p class="desc">${r.drill.description}</p>` : ''}
<div class="muted">run <code>${r.runId}</code> · ${r.startedAt} → ${r.finishedAt} · <code>${r.drill?.file}</code></div>
</div>
</section>`;
}

function objectivesSection(r: ResultJson): SafeHtml {
  const rows = Array.isArray(r.objectives) ? r.objectives : [];
  if (rows.length === 0) return html`<section><h2>Objectives</h2><p class="muted">No objectives were declared.</p></section>`;
  return html`<section><h2>Objectives</h2>
<table><thead><tr><th>Objective</th><th class="num">Declared (max)</th><th class="num">Measured</th><th>Result</th></tr></thead><tbody>
${rows.map(
  (o) => html`<tr><td>${OBJECTIVE_LABELS[o.name] ?? o.name}</td><td class="num">≤ ${fmtValue(o.declared, o.unit)}</td>
<td class="num">${o.measured === null ? 'not measured' : fmtValue(o.measured, o.unit, o.precisionMs)}</td>
<td class="${o.met ? 'met' : 'missed'}">${o.met ? '✓ met' : o.measured === null ? '✗ missed (could not be measured)' : '✗ missed'}</td></tr>`,
)}
</tbody></table></section>`;
}

function measuredSection(r: ResultJson, m: Measured | null): SafeHtml {
  if (m === null) return html`<section><h2>Measured</h2><p class="muted">The run ended before anything could be measured.</p></section>`;
  const card = (k: string, v: string, bad = false) => html`<div class="card${bad ? ' bad' : ''}"><div class="k">${k}</div><div class="v">${v}</div></div>`;
  const p = m.precision;
  const switchMaster = (Array.isArray(r.events) ? r.events : []).find((e) => e.marker === 'switch-master');
  const crossCheck =
    switchMaster && m.faultAtMs !== null
      ? html`<p>System's own evidence: <b>+switch-master</b> ${relative(switchMaster.atMs - m.faultAtMs)} the fault${
          m.recoveredAtMs !== null ? html`; clients recovered ${relative(m.recoveredAtMs - switchMaster.atMs)} it` : ''
        }.</p>`
      : '';
  return html`<section><h2>Measured</h2>
<div class="grid">
${card('RTO', m.rtoMs === null ? 'not recovered' : fmtMsPm(m.rtoMs, m.precisionMs), m.rtoMs === null)}
${card('Downtime', m.downtimeMs === null ? 'not recovered' : fmtMsPm(m.downtimeMs, m.precisionMs), m.downtimeMs === null)}
${card('RPO', m.rpoMs === null ? 'unknown' : fmtMs(m.rpoMs), (m.rpoMs ?? 0) > 0)}
${card('Writes sent', fmtInt(m.totalWrites))}
${card('Acknowledged', fmtInt(m.ackedWrites))}
${card('Failed', fmtInt(m.failedWrites))}
${card('Unknown', fmtInt(m.unknownWrites))}
${card('Lost', m.lostWrites === null ? 'unknown' : fmtInt(m.lostWrites), m.lostWrites !== 0)}
${card('Lost, acked after fault', fmtInt(m.lost?.ackedAfterFault), (m.lost?.ackedAfterFault ?? 0) > 0)}
${card('Recovered (unknown, present)', m.recoveredWrites === null ? 'unknown' : fmtInt(m.recoveredWrites))}
${card('Unexpected', m.unexpectedWrites === null ? 'unknown' : fmtInt(m.unexpectedWrites), m.unexpectedWrites !== 0)}
${card('Latency p50 / p99 / max', m.latencyMs ? `${fmtMs(m.latencyMs.p50)} / ${fmtMs(m.latencyMs.p99)} / ${fmtMs(m.latencyMs.max)}` : '—')}
</div>
<p>Fault at <b>${fmtMs(m.faultAtMs)}</b>, first failed write at <b>${fmtMs(m.firstFailureAtMs)}</b>, recovered at <b>${fmtMs(m.recoveredAtMs)}</b>${
    m.stableMs !== undefined ? html` (every write in the next ${fmtMs(m.stableMs)} succeeded)` : ''
  }.
Precision <b>± ${fmtMs(m.precisionMs)}</b>${
    p ? html`: largest gap between write starts ${fmtMs(p.gapMs)} + timer resolution ${fmtMs(p.timerResolutionMs)} + fault injection call ${fmtMs(p.injectMs)}` : ''
  }.${m.lastSafeAckMs != null ? html` Last acknowledged write before which nothing was lost: ${fmtMs(m.lastSafeAckMs)}.` : ''}</p>
${crossCheck}
${m.notes?.length ? html`<h2>Notes</h2><ul class="notes">${m.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}
</section>`;
}

/** 2250 → "2.25 s after", −40 → "40 ms before". */
function relative(deltaMs: number): string {
  return deltaMs >= 0 ? `${fmtMs(deltaMs)} after` : `${fmtMs(-deltaMs)} before`;
}

function timelineSection(r: ResultJson): SafeHtml {
  const view = faultView(r);
  const bucket = fmtMs(r.timeline?.bucketMs);
  return html`<section><h2>Timeline</h2>
<p class="muted">Writes per ${bucket} bucket by the time they were sent, coloured by outcome.</p>
${renderTimelineSvg(r)}${renderLatencySvg(r)}
${view ? html`<h2>Around the fault (${fmtMs(view.fromMs)} to ${fmtMs(view.toMs)})</h2>${renderTimelineSvg(r, view)}` : ''}
</section>`;
}

function writesSection(m: Measured | null): SafeHtml | string {
  if (m === null) return '';
  const lost = m.lost?.firstIds ?? [];
  const span = m.lost?.ackSpanMs;
  const lostTable = lost.length
    ? html`<p>${fmtInt(m.lostWrites)} acknowledged writes are missing${span ? html`, acknowledged from ${fmtMs(span.firstMs)} to ${fmtMs(span.lastMs)}` : ''}. The first ${lost.length}:</p>
<table><thead><tr><th class="num">Id</th><th class="num">Acked at</th><th class="num">Relative to fault</th><th>When</th></tr></thead><tbody>
${lost.map(
  (w) => html`<tr><td class="num">${w.id}</td><td class="num">${fmtMs(w.ackMs)}</td><td class="num">${m.faultAtMs === null ? '—' : fmtOffsetMs(w.ackMs - m.faultAtMs)}</td><td>${
    w.ackAfterFault ? 'after the fault (split brain / dying primary)' : 'before the fault'
  }</td></tr>`,
)}
</tbody></table>`
    : html`<p>${m.lostWrites === null ? 'Whether acknowledged writes were lost is unknown (the data could not be read back).' : 'No acknowledged write was lost.'}</p>`;
  const ids = (label: string, list: readonly number[] | undefined, total: number | null) =>
    list?.length ? html`<p>${label} (${fmtInt(total)}; first ${list.length}): <code>${list.join(', ')}</code></p>` : '';
  return html`<section><h2>Writes</h2>${lostTable}
${ids('Unexpected ids', m.unexpectedIds, m.unexpectedWrites)}
${ids('Unknown-outcome writes found applied', m.recoveredIds, m.recoveredWrites)}</section>`;
}

function faultsSection(r: ResultJson): SafeHtml | string {
  const faults = Array.isArray(r.faults) ? r.faults : [];
  if (faults.length === 0) return '';
  return html`<section><h2>Faults</h2><table><thead><tr><th>Kind</th><th>Target</th><th>Container</th><th class="num">Injected at</th><th class="num">Call took</th><th class="num">Healed at</th></tr></thead><tbody>
${faults.map(
  (f) => html`<tr><td>${f.kind}</td><td>${f.target}</td><td><code>${f.container}</code></td><td class="num">${fmtMs(f.injectedAtMs)}</td>
<td class="num">${fmtMs(f.injectReturnedAtMs - f.injectedAtMs)}</td><td class="num">${f.healedAtMs === undefined ? '—' : fmtMs(f.healedAtMs)}</td></tr>`,
)}
</tbody></table></section>`;
}

function eventsSection(r: ResultJson): SafeHtml {
  const events = (Array.isArray(r.events) ? r.events.slice() : []).sort((a, b) => a.atMs - b.atMs);
  const faultAt = r.measured?.faultAtMs ?? null;
  if (events.length === 0) return html`<section><h2>Events</h2><p class="muted">No events were recorded.</p></section>`;
  return html`<section><h2>Events</h2><table><thead><tr><th class="num">At</th><th class="num">From fault</th><th>Source</th><th>Marker</th><th>Message</th></tr></thead><tbody>
${events.map(
  (e) => html`<tr><td class="num">${fmtMs(e.atMs)}</td><td class="num">${faultAt === null ? '—' : fmtOffsetMs(e.atMs - faultAt)}</td><td>${e.source}</td><td>${e.marker ?? ''}</td><td class="msg">${e.message}</td></tr>`,
)}
</tbody></table></section>`;
}

function runSection(r: ResultJson): SafeHtml {
  const kv = (rows: [string, unknown][]) =>
    html`<table><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v === null || v === undefined ? '—' : String(v)}</td></tr>`)}</tbody></table>`;
  const l = r.load;
  const s = r.stack;
  const env = r.environment;
  const phases = Object.entries(r.phasesMs ?? {});
  return html`<section><h2>Load</h2>${
    l
      ? kv([
          ['Rate', `${fmtInt(l.rate)} writes/s`], ['Connections', l.connections], ['Timeout', fmtMs(l.timeoutMs)], ['Warm-up', fmtMs(l.warmupMs)],
          ['Duration', fmtMs(l.durationMs)], ['Writes sent', fmtInt(l.sentWrites)], ['Late sends', fmtInt(l.lateSends)], ['Max send lag', fmtMs(l.maxSendLagMs)],
        ])
      : ''
  }</section>
<section><h2>Stack</h2>${
    s
      ? html`${kv([['Kind', s.kind], ['Primary before', s.primaryBefore], ['Primary after', s.primaryAfter]])}
<table><thead><tr><th>Container</th><th>Role</th><th>Image</th></tr></thead><tbody>${(s.containers ?? []).map(
          (c) => html`<tr><td><code>${c.name}</code></td><td>${c.role}</td><td><code>${c.image}</code></td></tr>`,
        )}</tbody></table>`
      : ''
  }</section>
<section><h2>Phases</h2>${
    phases.length
      ? html`<table><thead><tr><th>Phase</th><th class="num">Took</th></tr></thead><tbody>${phases.map(([k, v]) => html`<tr><td>${k}</td><td class="num">${fmtMs(v)}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">No phase timings.</p>`
  }</section>
<section><h2>Environment</h2>${
    env
      ? kv([
          ['drill', env.drillVersion], ['Node.js', env.node], ['Docker engine', env.dockerEngine], ['Host', env.host],
          ...Object.entries(env.images ?? {}).map(([k, v]): [string, unknown] => [`Image ${k}`, v]),
        ])
      : ''
  }
${kv([['Drill file', r.drill?.file], ['sha256', r.drill?.sha256], ['Clock origin (epoch ms)', r.clockOriginEpochMs]])}
${r.drill?.source ? html`<details><summary>Drill file as run</summary><pre><code>${r.drill.source}</code></pre></details>` : ''}
</section>`;
}


import type { ResultJson } from './result.js';
import { html, SafeHtml } from './escape.js';
import { fmtInt, fmtMs, fmtMsPm, fmtValue } from './format.js';
import { pageHead } from './page-head.js';
import { REPORT_CSS } from './report-style.js';
import { renderLatencySvg } from './latency-svg.js';
import { chartFrame, faultView, renderLegend, renderTimelineSvg } from './timeline-svg.js';
import { renderKeyMoments } from './chart-markers.js';
import { measuredSection, objectivesSection } from './report-objectives.js';
import { eventsTableSection } from './events-table.js';
import { divergenceSection, writesSection } from './writes-section.js';
import { layersSection } from './layers-section.js';
import { readsSection, renderReadsLegend, renderReadsRow } from './reads-section.js';
import { drillFileSection, environmentSection, eventsSection, faultsSection, filesSection, loadSection, stackSection } from './report-evidence.js';
import { num } from './svg-util.js';

/**
 * report.html: one self-contained file (inline CSS and SVG, no script, no external resource; a CSP forbids
 * both in case anything slipped through), readable on screen and printed. Every value from outside is
 * escaped by the `html` template; elements tests look at carry data-testid (and data-value: the raw number).
 */
export function renderReportHtml(result: ResultJson): string {
  const verdict = String(result.verdict ?? 'error');
  const page = html`<!DOCTYPE html>
<html lang="en">
${pageHead(`${verdict.toUpperCase()} · ${result.drill?.name} · drill report`, REPORT_CSS)}
<body><main>
${verdictSection(result, verdict)}
${objectivesSection(result)}
${measuredSection(result)}
${eventsTableSection(result)}
${timelineSection(result)}
${writesSection(result)}
${readsSection(result)}
${divergenceSection(result)}
${layersSection(result)}
${stackSection(result)}
${faultsSection(result)}
${eventsSection(result)}
${filesSection(result)}
${loadSection(result)}
${drillFileSection(result)}
${environmentSection(result)}
<footer class="muted">drill ${result.environment?.drillVersion} · run ${result.runId} · result.json schema ${result.schemaVersion} · rebuild with <code>drill report &lt;run dir&gt;</code></footer>
</main></body>
</html>
`;
  return page.value;
}

function verdictSection(r: ResultJson, verdict: string): SafeHtml {
  const cls = ['pass', 'fail', 'error', 'aborted'].includes(verdict) ? verdict : 'error';
  return html`<section class="verdict v-border-${cls}">
<div class="badge v-${cls}" data-testid="verdict">${verdict.toUpperCase()}</div>
<div class="verdict-text">
<h1 data-testid="drill-name">${r.drill?.name}</h1>
<p class="headline" data-testid="headline">${headline(r)}</p>
${r.reason ? html`<div class="reason" data-testid="verdict-reason">${r.reason}</div>` : ''}
${r.drill?.description ? html`<p class="desc" data-testid="drill-description">${r.drill.description}</p>` : ''}
<div class="muted">run <code>${r.runId}</code> · ${r.startedAt} → ${r.finishedAt} (${fmtMs(durationMs(r))}) · <code>${r.drill?.file}</code></div>
</div>
</section>`;
}

/** One sentence a manager can read: what was done, how long writes were out, what was lost, against what was asked. */
function headline(r: ResultJson): SafeHtml | string {
  const m = r.measured;
  if (!m) return 'The run ended before anything could be measured.';
  const fault = Array.isArray(r.faults) && r.faults[0] ? `${r.faults[0].kind} ${r.faults[0].target}` : 'the fault';
  const objective = (name: string) => (Array.isArray(r.objectives) ? r.objectives.find((o) => o.name === name) : undefined);
  const rto = objective('rtoMs');
  const lost = objective('lostWrites');
  if (!m.totalWrites && m.faultAtMs === null) return 'The run ended before any write was sent: nothing could be measured.';
  const rtoText =
    m.faultAtMs === null
      ? 'No fault was injected'
      : m.rtoMs === null
        ? `Writes did not recover after ${fault}`
        : m.rtoMs === 0
          ? `No write failed after ${fault}`
          : `Writes recovered ${fmtMsPm(m.rtoMs, m.precisionMs)} after ${fault}`;
  const lostText = m.lostWrites === null ? 'whether acknowledged writes were lost is unknown' : `${fmtInt(m.lostWrites)} acknowledged write${m.lostWrites === 1 ? ' was' : 's were'} lost`;
  return html`${rtoText}${rto && m.faultAtMs !== null ? ` (objective ≤ ${fmtValue(rto.declared, 'ms')})` : ''}; ${lostText}${lost ? ` (objective ≤ ${fmtInt(lost.declared)})` : ''}${
    (m.unexpectedWrites ?? 0) > 0 ? html`; <b>${fmtInt(m.unexpectedWrites)} unexpected writes</b>` : ''
  }.`;
}

function durationMs(r: ResultJson): number | null {
  const a = Date.parse(String(r.startedAt));
  const b = Date.parse(String(r.finishedAt));
  return Number.isFinite(a) && Number.isFinite(b) ? b - a : null;
}

function timelineSection(r: ResultJson): SafeHtml {
  const overview = chartFrame(r);
  const view = faultView(r);
  const zoom = view ? chartFrame(r, view) : null;
  const bucketMs = num(r.timeline?.bucketMs);
  return html`<section class="chart" data-testid="timeline-section"><h2>Timeline</h2>
<p class="muted">Writes by the time they were sent (${fmtMs(bucketMs)} buckets), coloured by outcome;${r.measured?.reads ? ' under them, the reads in colours of their own (what each read saw);' : ''} below, the latency of the writes that succeeded. Hover a marker for its evidence.</p>
<div class="chart-scroll">${renderTimelineSvg(r, overview)}${renderReadsRow(r, overview)}${renderLatencySvg(r, overview)}</div>
${renderLegend(r)}${renderReadsLegend(r)}
${zoom && view ? html`<h2 class="zoom-title">Around the fault: ${fmtMs(view.fromMs)} to ${fmtMs(view.toMs)}</h2><div class="chart-scroll">${renderTimelineSvg(r, zoom)}${renderReadsRow(r, zoom)}${renderLatencySvg(r, zoom)}</div>` : ''}
</section>
<section data-testid="moments-section"><h2>Key moments</h2>${renderKeyMoments(r) || html`<p class="muted">No fault, detection or recovery was recorded.</p>`}</section>`;
}

import type { ChangeKind, EventPair, FigureChange, ObjectiveStateOrNone, RunComparison, RunSide } from './compare.js';
import { changeText, eventLabel, fmtDeclared, fmtDelta, fmtFigure, fmtNoise, repeatedKeys, stateText } from './compare-format.js';
import { html, type SafeHtml } from './escape.js';
import { fmtMs, fmtOffsetMs } from './format.js';
import { pageHead } from './page-head.js';
import { REPORT_CSS } from './report-style.js';

// The comparison of two runs as one self-contained page, like report.html: no script, no external
// resource (same CSP head), the report's stylesheet, every value through the `html` template. Numbers
// carry data-value (the raw value) and rows data-change, so a browser test can check the page against
// compareResults() and the text rendering.

const COMPARE_CSS = `
.runs { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; margin: 8px 0; }
.run { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; min-width: 0; word-break: break-word; }
.run .which { font-weight: 800; font-size: 18px; }
.badge-sm { font-size: 18px; font-weight: 800; color: #fff; padding: 3px 12px; border-radius: 6px; }
.runs .arrow { font-size: 22px; color: #57606a; }
.warn-box { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 6px 10px; margin: 6px 0; word-break: break-word; }
.ch { white-space: nowrap; }
.ch-significant { color: #cf222e; font-weight: 700; } .ch-within-noise { color: #57606a; } .ch-changed { color: #9a6700; font-weight: 600; } .ch-one-sided { color: #8250df; font-weight: 600; } .ch-same { color: #1a7f37; }
tr.row-changed td { background: #fff8c5; } tr.row-significant td { background: #ffebe9; } tr.row-one-sided td { background: #fbefff; }
.state-met { color: #1a7f37; } .state-missed { color: #cf222e; font-weight: 700; } .state-not-measured { color: #9a6700; } .state-not-declared { color: #57606a; }
`;

export function renderCompareHtml(c: RunComparison): string {
  const title = c.sameDrill ? c.a.drillName : `${c.a.drillName} vs ${c.b.drillName}`;
  const page = html`<!DOCTYPE html>
<html lang="en">
${pageHead(`${c.a.verdict.toUpperCase()} → ${c.b.verdict.toUpperCase()} · ${title} · drill compare`, REPORT_CSS + COMPARE_CSS)}
<body><main>
${headSection(c, title)}
${objectivesSection(c)}
${figuresSection('cmp-measured', 'Measured', 'cmp-figure', c.measured, 'Counts are exact: any change is significant. Times are judged against the precision of A and B added; a figure without a stated precision is only said to have changed.')}
${faultsSection(c)}
${eventsSection(c)}
${figuresSection('cmp-load', 'Load', 'cmp-load', c.load, 'The load as declared and as it ran.')}
${environmentSection(c)}
<footer class="muted">drill compare · A <code>${c.a.runId}</code> · B <code>${c.b.runId}</code> · rebuild with <code>drill report --compare A B</code></footer>
</main></body>
</html>
`;
  return page.value;
}

function verdictClass(v: string): string {
  return ['pass', 'fail', 'error', 'aborted'].includes(v) ? v : 'error';
}

function runBox(which: 'a' | 'b', s: RunSide): SafeHtml {
  return html`<div class="run" data-testid="run-${which}"><span class="which">${which.toUpperCase()}</span>
<span class="badge-sm v-${verdictClass(s.verdict)}" data-testid="verdict-${which}">${s.verdict.toUpperCase()}</span>
<code data-testid="run-id-${which}">${s.runId}</code><span class="muted">${s.startedAt}</span></div>`;
}

function headSection(c: RunComparison, title: string): SafeHtml {
  return html`<section data-testid="compare-head"><h1 data-testid="compare-title">Compare: ${title}</h1>
<div class="runs">${runBox('a', c.a)}<span class="arrow" aria-hidden="true">→</span>${runBox('b', c.b)}</div>
<p data-testid="verdict-change">Verdict <b>${c.a.verdict.toUpperCase()}</b> → <b>${c.b.verdict.toUpperCase()}</b>${c.verdictChanged ? '' : html` <span class="muted">(unchanged)</span>`}</p>
${c.a.reason ? html`<p class="muted small" data-testid="reason-a">A: ${c.a.reason}</p>` : ''}
${c.b.reason ? html`<p class="reason" data-testid="reason-b">B: ${c.b.reason}</p>` : ''}
${c.sameDrill ? '' : html`<p class="warn-box" data-testid="warning-different-drills">Two different drills: A is <b>${c.a.drillName}</b>, B is <b>${c.b.drillName}</b>. The comparison is of two configurations, not of one drill run twice.</p>`}
${
  c.drillFileChanged
    ? html`<p class="warn-box" data-testid="drill-file-changed">The drill file changed between the runs: sha256 <code>${c.a.sha256}</code> (A, <code>${c.a.drillFile}</code>) vs <code>${c.b.sha256}</code> (B, <code>${c.b.drillFile}</code>).</p>`
    : html`<p class="muted small" data-testid="drill-file-same">Same drill file in both runs (sha256 <code>${c.a.sha256}</code>).</p>`
}
<p class="muted small">B − A: positive when B's value is larger. A change larger than the two runs' precision added is <span class="ch-significant">significant</span>; a smaller one is <span class="ch-within-noise">within noise</span>: a rerun may go either way.</p>
</section>`;
}

function changeCell(change: ChangeKind, aMissing: boolean): SafeHtml {
  return html`<td data-testid="change" data-value="${change}"><span class="ch ch-${change}">${changeText(change, aMissing)}</span></td>`;
}

function rowClass(change: ChangeKind): string {
  return change === 'significant' ? 'row-significant' : change === 'changed' ? 'row-changed' : change === 'one-sided' ? 'row-one-sided' : '';
}

function numCells(f: FigureChange, missing = '—'): SafeHtml {
  return html`<td class="num" data-testid="a" data-value="${f.a ?? ''}">${fmtFigure(f.a, f.unit, f.precisionA, missing)}</td>
<td class="num" data-testid="b" data-value="${f.b ?? ''}">${fmtFigure(f.b, f.unit, f.precisionB, missing)}</td>
<td class="num strong" data-testid="delta" data-value="${f.delta ?? ''}">${fmtDelta(f.delta, f.unit)}</td>
<td class="num" data-testid="noise" data-value="${f.noise ?? ''}">${fmtNoise(f.noise, f.unit)}</td>
${changeCell(f.change, f.a === null)}`;
}

function objectivesSection(c: RunComparison): SafeHtml {
  const state = (s: ObjectiveStateOrNone, which: 'a' | 'b', why: string | null) =>
    html`<span class="state-${s}" data-testid="state-${which}" data-value="${s}"${why ? html` title="${why}"` : ''}>${stateText(s)}</span>`;
  return html`<section data-testid="cmp-objectives"><h2>Objectives</h2>
${
  c.objectives.length === 0
    ? html`<p class="muted">No objective was declared in either run.</p>`
    : html`<table><thead><tr><th>Objective</th><th class="num">Declared A</th><th class="num">Declared B</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th><th class="num">Noise</th><th>Change</th><th>State A → B</th></tr></thead><tbody>
${c.objectives.map(
  (o) => html`<tr data-testid="cmp-objective-${o.name}" data-change="${o.change}" class="${rowClass(o.change)}"><td>${o.label}</td>
<td class="num" data-testid="declared-a" data-value="${o.declaredA ?? ''}">${fmtDeclared(o.declaredA, o.unit, o.boundA)}</td>
<td class="num" data-testid="declared-b" data-value="${o.declaredB ?? ''}">${fmtDeclared(o.declaredB, o.unit, o.boundB)}</td>
${numCells(o, 'not measured')}
<td class="ch">${state(o.stateA, 'a', o.whyA)} → ${state(o.stateB, 'b', o.whyB)}</td></tr>`,
)}
</tbody></table>
<p class="muted small">An objective declared in one run only is shown with the other run's measured value, as information ("not declared").</p>`
}
</section>`;
}

function figuresSection(testid: string, title: string, rowPrefix: string, figures: readonly FigureChange[], note: string): SafeHtml {
  const rows = figures.filter((f) => f.a !== null || f.b !== null);
  return html`<section data-testid="${testid}"><h2>${title}</h2>
${
  rows.length === 0
    ? html`<p class="muted">Not recorded in either run.</p>`
    : html`<table><thead><tr><th></th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th><th class="num">Noise</th><th>Change</th></tr></thead><tbody>
${rows.map((f) => html`<tr data-testid="${rowPrefix}-${f.key}" data-change="${f.change}" class="${rowClass(f.change)}"><td>${f.label}</td>${numCells(f)}</tr>`)}
</tbody></table>`
}
<p class="muted small">${note}</p></section>`;
}

function faultsSection(c: RunComparison): SafeHtml {
  return html`<section data-testid="cmp-faults"><h2>Faults</h2>
${
  c.faults.length === 0
    ? html`<p class="muted">No fault in either run.</p>`
    : c.faults.map(
        (f) => html`<h3 data-testid="cmp-fault-${f.index}">Fault ${f.index}</h3>
<p class="small">A: <code data-testid="fault-a">${f.whatA ?? 'none'}</code><br>B: <code data-testid="fault-b">${f.whatB ?? 'none'}</code></p>
<table><thead><tr><th></th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th><th class="num">Noise</th><th>Change</th></tr></thead><tbody>
${f.figures
  .filter((x) => x.a !== null || x.b !== null)
  .map((x) => html`<tr data-testid="cmp-fault-${f.index}-${x.key}" data-change="${x.change}" class="${rowClass(x.change)}"><td>${x.label}</td>${numCells(x)}</tr>`)}
</tbody></table>`,
      )
}
<p class="muted small">Run clock: 0 is the end of the warm-up. The fault instant is known within the injecting call, or up to the engine's own event of the fault when it logged one.</p>
</section>`;
}

function eventsSection(c: RunComparison): SafeHtml {
  const fromFault = c.eventsFromFault.a && c.eventsFromFault.b;
  const repeated = repeatedKeys(c);
  const onlyA = c.events.filter((e) => e.bMs === null).length;
  const onlyB = c.events.filter((e) => e.aMs === null).length;
  const rel = (v: number | null) => (v === null ? '—' : fromFault ? fmtOffsetMs(v) : fmtMs(v));
  const row = (e: EventPair) =>
    html`<tr data-testid="cmp-event" data-key="${e.key}" data-occurrence="${e.occurrence}" data-change="${e.change}" class="${rowClass(e.change)}">
<td>${eventLabel(e.key, e.source, e.marker, e.occurrence, repeated)}</td>
<td class="num" data-testid="a" data-value="${e.aMs ?? ''}"${e.messageA ? html` title="${e.messageA}"` : ''}>${rel(e.aMs)}</td>
<td class="num" data-testid="b" data-value="${e.bMs ?? ''}"${e.messageB ? html` title="${e.messageB}"` : ''}>${rel(e.bMs)}</td>
<td class="num strong" data-testid="shift" data-value="${e.shiftMs ?? ''}">${fmtDelta(e.shiftMs, 'ms')}</td>
<td class="num" data-testid="noise" data-value="${e.noiseMs ?? ''}">${e.noiseMs === null ? '' : `± ${fmtMs(e.noiseMs)}`}</td>
${changeCell(e.change, e.aMs === null)}
<td class="msg small">${e.messageB ?? e.messageA}</td></tr>`;
  return html`<section data-testid="cmp-events"><h2>System events</h2>
<p class="muted">What the system itself reported (Sentinel, the engine, the stack's logs, the runbook, the detector, layers), ${
    fromFault ? 'as time from each run’s first fault' : html`<b>on the run clock</b> (a run had no fault)`
  }. Events are paired by marker, then by order: the n-th <code>sdown</code> of A with the n-th of B. Noise: the two runs' fault-instant bounds added. <span data-testid="events-one-sided">${onlyA} only in A, ${onlyB} only in B</span>.</p>
${
  c.events.length === 0
    ? html`<p class="muted">No event from the system in either run.</p>`
    : html`<table><thead><tr><th>Event</th><th class="num">A</th><th class="num">B</th><th class="num">Shift</th><th class="num">Noise</th><th>Change</th><th>Message (B, else A)</th></tr></thead><tbody>
${c.events.map(row)}
</tbody></table>`
}
</section>`;
}

function environmentSection(c: RunComparison): SafeHtml {
  const rows = c.environment.filter((e) => e.a !== null || e.b !== null);
  return html`<section data-testid="cmp-environment"><h2>Drill, versions and host</h2>
<table><thead><tr><th></th><th>A</th><th>B</th><th>Change</th></tr></thead><tbody>
${rows.map(
  (e) => html`<tr data-testid="cmp-env-${e.key}" data-change="${e.changed ? 'changed' : 'same'}" class="${e.changed ? 'row-changed' : ''}"><td>${e.label}</td>
<td><code data-testid="a">${e.a ?? '—'}</code></td><td><code data-testid="b">${e.b ?? '—'}</code></td><td>${
    e.changed ? html`<span class="ch ch-changed">changed</span>` : html`<span class="ch ch-same">same</span>`
  }</td></tr>`,
)}
</tbody></table></section>`;
}

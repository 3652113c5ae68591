import { assertNever } from '../util/assert-never.js';
import { objectiveState } from '../measure/objectives.js';
import type { Measured } from '../measure/types.js';
import type { ObjectiveResult, ResultJson } from './result.js';
import { html, type SafeHtml } from './escape.js';
import { fmtDeclared, fmtInt, fmtMs, fmtMsPm, fmtPercent, fmtValue, OBJECTIVE_LABELS } from './format.js';
import { num } from './svg-util.js';

// Objectives declared vs measured, each number with its precision, and the measured cards. Every number
// carries data-value (the raw value from result.json) so a test can compare the page with the file.

const ORDER = ['rtoMs', 'downtimeMs', 'lostWrites', 'rpoMs', 'unexpectedWrites'] as const;
const UNITS: Record<string, 'ms' | 'writes'> = { rtoMs: 'ms', downtimeMs: 'ms', lostWrites: 'writes', rpoMs: 'ms', unexpectedWrites: 'writes' };

/** What the recovering write's latency leaves open: a queued one's ack places the recovery only within a normal latency's spread; any other may have waited up to its latency beyond the shortest. */
const queueWords = (p: { queueMs?: number }): string => (p.queueMs ? ` + the recovering write's possible wait ${fmtMs(p.queueMs)}` : '');

/** The precision of one measured value, in words, and as a number of ms where it is one (null: exact or unknown). */
export function precisionOf(name: string, m: Measured | null, o?: ObjectiveResult): { text: string; valueMs: number | null; why: string } {
  if (m === null) return { text: '—', valueMs: null, why: 'not measured' };
  if (name === 'rtoMs' || name === 'downtimeMs') {
    const p = num(o?.precisionMs) ?? num(m.precisionMs);
    const terms = m.precision;
    const why = terms
      ? `${gapWords(terms)} + timer resolution ${fmtMs(terms.timerResolutionMs)} + fault instant bound ${fmtMs(terms.injectMs)}${queueWords(terms)}`
      : "largest gap between write starts + timer resolution + fault instant bound (the engine's own event of the fault, the stamps of a rule change inside the nodes, or else the injecting call)";
    return p === null || m[name] === null ? { text: '—', valueMs: null, why } : { text: `± ${fmtMs(p)}`, valueMs: p, why };
  }
  if (name === 'rpoMs') {
    if (m.rpoMs === null) return { text: '—', valueMs: null, why: 'lost writes unknown' };
    if (m.lostWrites === 0) return { text: 'exact', valueMs: null, why: 'nothing was lost' };
    const terms = m.precision;
    if (!terms) return { text: '—', valueMs: null, why: 'precision terms not recorded' };
    const p = Math.round((terms.injectMs + terms.timerResolutionMs) * 100) / 100;
    return { text: `± ${fmtMs(p)}`, valueMs: p, why: `the fault instant is known within ${fmtMs(terms.injectMs)}; ack times ± ${fmtMs(terms.timerResolutionMs)}` };
  }
  const v = name in m ? (m as unknown as Record<string, unknown>)[name] : null;
  return v === null || v === undefined
    ? { text: '—', valueMs: null, why: 'the data could not be read back' }
    : { text: 'exact', valueMs: null, why: `every one of the ${fmtInt(m.totalWrites)} write ids was checked` };
}

/** The send-gap term of the precision, in words: the probe stream's narrowed edges, or the load's largest gap. */
function gapWords(p: NonNullable<Measured['precision']>): string {
  switch (p.gapFrom) {
    case 'probe':
      return `outage edges found by the probe stream to within ${fmtMs(p.gapMs)} (the declared load alone: ${fmtMs(p.loadGapMs ?? null)})`;
    case 'system':
      return `recovery bounded below by the system's own record (${p.floor ? `${p.floor.why} at ${fmtMs(p.floor.atMs)}` : 'a recovery floor'}): edges to within ${fmtMs(p.gapMs)} (the declared load alone: ${fmtMs(p.loadGapMs ?? null)})`;
    case 'load':
    case undefined:
      return `largest gap between write starts ${fmtMs(p.gapMs)}`;
    default:
      return assertNever(p.gapFrom, 'precision gap source');
  }
}

function probeParagraph(probe: NonNullable<Measured['probe']>): SafeHtml {
  return html`<p data-testid="probe">Probe stream (its own writes, apart from the figures above): <b>${fmtInt(probe.sentWrites)}</b> sent from ${fmtMs(probe.fromMs)} to ${fmtMs(
    probe.toMs,
  )}, ${fmtInt(probe.ackedWrites)} acknowledged, ${fmtInt(probe.failedWrites)} failed, ${fmtInt(probe.unknownWrites)} unknown; lost <b>${probe.lostWrites === null ? '—' : fmtInt(probe.lostWrites)}</b>${
    probe.unexpectedWrites ? html`, <span class="warn">${fmtInt(probe.unexpectedWrites)} unexpected</span>` : ''
  }.</p>`;
}

export function objectivesSection(r: ResultJson): SafeHtml {
  // The drill's own objectives; each event's are in its row of the events table (events-table.ts).
  const declared = Array.isArray(r.objectives) ? r.objectives.filter((o) => o && typeof o.name === 'string' && o.event === undefined) : [];
  const m = r.measured ?? null;
  const names = [...new Set<string>([...ORDER, ...declared.map((o) => o.name)])];
  const rows = names.map((name) => {
    const o = declared.find((d) => d.name === name);
    const unit = o?.unit ?? UNITS[name] ?? 'writes';
    const measured = o ? o.measured : m && name in m ? num((m as unknown as Record<string, unknown>)[name]) : null;
    if (!o && m === null) return '';
    const p = precisionOf(name, m, o);
    const state = o ? objectiveState(o) : null;
    const result =
      state === null
        ? html`<span class="muted">not an objective</span>`
        : state === 'met'
          ? html`<span class="met">✓ met</span>`
          : state === 'missed'
            ? html`<span class="missed">✗ missed</span>`
            : html`<span class="unmeasured">? not measured</span><div class="muted small" data-testid="why">${o?.why ?? 'no value: the verdict counts it as not met'}</div>`;
    const rowClass = state === null ? 'row-info' : state === 'met' ? 'row-met' : state === 'missed' ? 'row-missed' : 'row-unmeasured';
    return html`<tr data-testid="objective-${name}" data-declared="${o ? 'yes' : 'no'}" data-state="${state ?? 'none'}" class="${rowClass}">
<td>${OBJECTIVE_LABELS[name] ?? name}</td>
<td class="num" data-testid="declared" data-value="${o ? o.declared : ''}">${o ? fmtDeclared(o) : '—'}</td>
<td class="num strong" data-testid="measured" data-value="${measured ?? ''}">${measured === null ? 'not measured' : fmtValue(measured, unit)}</td>
<td class="num" data-testid="precision" data-value="${p.valueMs ?? ''}" title="${p.why}">${p.text}</td>
<td class="num" data-testid="margin">${o ? margin(o, measured, p.valueMs) : ''}</td>
<td data-testid="result">${result}</td></tr>`;
  });
  return html`<section data-testid="objectives"><h2>Objectives: declared vs measured</h2>
${declared.length === 0 ? html`<p class="muted">No objectives were declared: the numbers below are reported, not judged.</p>` : ''}
<table><thead><tr><th>Objective</th><th class="num">Declared</th><th class="num">Measured</th><th class="num">Precision</th><th class="num">Margin</th><th>Result</th></tr></thead><tbody>
${rows}
</tbody></table>
<p class="muted small">Precision: ${precisionOf('rtoMs', m).why}. Counts are exact: every write has a unique id and all of them are checked against what the primary holds after recovery.</p>
</section>`;
}

/** "7.449 s to spare", "over by 2 writes", and a warning when the margin is inside the precision. */
function margin(o: ObjectiveResult, measured: number | null, precisionMs: number | null): SafeHtml | string {
  if (measured === null) return '—';
  // Positive d = room to spare, whichever way the bound points.
  const d = o.bound === 'min' ? measured - o.declared : o.declared - measured;
  const text = o.unit === 'ms' ? fmtMs(Math.abs(d)) : o.unit === 'percent' ? `${fmtPercent(Math.abs(d)).replace(' %', '')} points` : `${fmtInt(Math.abs(d))} write${Math.abs(d) === 1 ? '' : 's'}`;
  const close = precisionMs !== null && Math.abs(d) <= precisionMs;
  const s = d >= 0 ? `${text} to spare` : `over by ${text}`;
  return close ? html`${s} <span class="warn" title="the margin is smaller than the precision: a rerun may go either way">(within precision)</span>` : s;
}

export function measuredSection(r: ResultJson): SafeHtml {
  const m = r.measured ?? null;
  if (m === null) return html`<section data-testid="measured"><h2>Measured</h2><p class="muted">The run ended before anything could be measured.</p></section>`;
  const card = (key: string, k: string, value: number | null | undefined, text: string, bad = false) =>
    html`<div class="card${bad ? ' bad' : ''}" data-testid="measured-${key}" data-value="${value ?? ''}"><div class="k">${k}</div><div class="v">${text}</div></div>`;
  const n = (v: number | null | undefined, unknown = 'unknown') => (v === null || v === undefined ? unknown : fmtInt(v));
  const p = m.precision;
  const switchMaster = (Array.isArray(r.events) ? r.events : []).find((e) => e.marker === 'switch-master');
  const rel = (deltaMs: number) => (deltaMs >= 0 ? `${fmtMs(deltaMs)} after` : `${fmtMs(-deltaMs)} before`);
  const notRecovered = m.faultAtMs === null ? 'not measured' : 'not recovered';
  return html`<section data-testid="measured"><h2>Measured</h2>
<div class="grid">
${card('rtoMs', 'RTO', m.rtoMs, m.rtoMs === null ? notRecovered : fmtMsPm(m.rtoMs, m.precisionMs), m.rtoMs === null)}
${card('downtimeMs', 'Downtime (clients)', m.downtimeMs, m.downtimeMs === null ? notRecovered : fmtMsPm(m.downtimeMs, m.precisionMs), m.downtimeMs === null)}
${card('rpoMs', 'RPO (time)', m.rpoMs, m.rpoMs === null ? 'unknown' : fmtMs(m.rpoMs), (m.rpoMs ?? 0) > 0)}
${card('precisionMs', 'Precision of times', m.precisionMs, `± ${fmtMs(m.precisionMs)}`)}
${card('totalWrites', 'Writes sent', m.totalWrites, n(m.totalWrites))}
${card('ackedWrites', 'Acknowledged', m.ackedWrites, n(m.ackedWrites))}
${card('failedWrites', 'Failed', m.failedWrites, n(m.failedWrites))}
${card('unknownWrites', 'Unknown outcome', m.unknownWrites, n(m.unknownWrites))}
${card('lostWrites', 'Lost (acked, missing)', m.lostWrites, n(m.lostWrites), m.lostWrites !== 0)}
${card('ackedAfterFault', 'Lost, acked after fault', m.lost?.ackedAfterFault, n(m.lost?.ackedAfterFault, '—'), (m.lost?.ackedAfterFault ?? 0) > 0)}
${card('recoveredWrites', 'Unknown, found applied', m.recoveredWrites, n(m.recoveredWrites))}
${card('unexpectedWrites', 'Unexpected', m.unexpectedWrites, n(m.unexpectedWrites), m.unexpectedWrites !== 0)}
${card('latency', 'Latency p50 / p99 / max', m.latencyMs?.p99, m.latencyMs ? `${fmtMs(m.latencyMs.p50)} / ${fmtMs(m.latencyMs.p99)} / ${fmtMs(m.latencyMs.max)}` : '—')}
${m.responseMs ? card('response', 'From scheduled send p50 / p99 / max', m.responseMs.p99, `${fmtMs(m.responseMs.p50)} / ${fmtMs(m.responseMs.p99)} / ${fmtMs(m.responseMs.max)}`) : ''}
</div>
<p>${
    m.faultAtMs === null
      ? 'No fault was injected, so there is no RTO or downtime to measure.'
      : html`Fault at <b>${fmtMs(m.faultAtMs)}</b>, first failed write at <b>${fmtMs(m.firstFailureAtMs)}</b>, ${
          m.recoveredAtMs === null
            ? html`writes <b>never recovered</b>`
            : html`recovered at <b>${fmtMs(m.recoveredAtMs)}</b>${m.stableMs !== undefined ? html` (every write in the next ${fmtMs(m.stableMs)} succeeded)` : ''}`
        } — times from the end of the warm-up.`
  } Precision <b>± ${fmtMs(m.precisionMs)}</b>${
    p ? html`: ${gapWords(p)} + timer resolution ${fmtMs(p.timerResolutionMs)} + fault instant bound ${fmtMs(p.injectMs)}${queueWords(p)}` : ''
  }.${m.lastSafeAckMs != null ? html` Last acknowledged write before which nothing was lost: ${fmtMs(m.lastSafeAckMs)}.` : ''}${
    m.inFlightAtFault ? html` ${fmtInt(m.inFlightAtFault)} writes were in flight when the fault hit.` : ''
  }${m.failuresBeforeFault ? html` <span class="warn">${fmtInt(m.failuresBeforeFault)} writes failed before the fault: the system was not healthy before it.</span>` : ''}</p>
${
  switchMaster && m.faultAtMs !== null
    ? html`<p data-testid="cross-check">System's own evidence: <b>+switch-master</b> ${rel(switchMaster.atMs - m.faultAtMs)} the fault${
        m.recoveredAtMs !== null ? html`; clients recovered ${rel(m.recoveredAtMs - switchMaster.atMs)} it` : ''
      }.</p>`
    : ''
}
${m.probe ? probeParagraph(m.probe) : ''}
${m.notes?.length ? html`<h3>Notes</h3><ul class="notes">${m.notes.map((note) => html`<li>${note}</li>`)}</ul>` : ''}
</section>`;
}

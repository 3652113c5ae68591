import { objectiveState } from '../measure/objectives.js';
import type { EventMeasured, ObjectiveResult, ResultJson } from './result.js';
import { html, type SafeHtml } from './escape.js';
import { fmtDeclared, fmtInt, fmtMs, fmtMsPm, fmtValue, OBJECTIVE_LABELS } from './format.js';

// One measured row per event of the drill (each fault, switchover, failback, rejoin), with the objectives
// declared for its kind. Every number carries data-value (the raw value from result.json).

const KIND_WORDS: Record<string, string> = {
  failover: 'fault (unplanned)',
  switchover: 'switchover (planned)',
  failback: 'failback (planned)',
  rejoin: 'rejoin',
};

export function eventsTableSection(r: ResultJson): SafeHtml | string {
  const rows = Array.isArray(r.perEvent) ? r.perEvent : [];
  if (rows.length === 0) return '';
  const objectives = Array.isArray(r.objectives) ? r.objectives : [];
  return html`<section data-testid="per-event"><h2>Events: what each one cost</h2>
<p class="muted">Each fault and each planned operation measured on its own window of writes, from its start to the next one's. RTO counts from the event's start; lost writes are those acknowledged since the previous event had recovered, up to this one's recovery. The drill's own figures above count from the first event.</p>
<table><thead><tr><th>#</th><th>Event</th><th class="num">At</th><th class="num">RTO</th><th class="num">Downtime</th><th class="num">Sent / failed / unknown</th><th class="num">Lost</th><th class="num">Took</th><th>Objectives</th></tr></thead><tbody>
${rows.map((row) =>
  eventRow(
    row,
    objectives.filter((o) => o.event === row.index),
  ),
)}
</tbody></table>
${rows.some((row) => row.errant && row.errant.count > 0) ? errantParagraphs(rows) : ''}
${rows.some((row) => row.notes.length > 0) ? html`<h3>Notes by event</h3><ul class="notes">${rows.flatMap((row) => row.notes.map((n) => html`<li><b>event ${row.index}</b>: ${n}</li>`))}</ul>` : ''}
</section>`;
}

function eventRow(row: EventMeasured, objectives: ObjectiveResult[]): SafeHtml {
  const state = objectives.length === 0 ? 'none' : objectives.every((o) => objectiveState(o) === 'met') ? 'met' : objectives.some((o) => objectiveState(o) === 'missed') ? 'missed' : 'unmeasured';
  const rowClass = state === 'none' ? 'row-info' : `row-${state}`;
  const notRecovered = row.overlappedBy !== null ? `with event ${row.overlappedBy}` : 'not recovered';
  return html`<tr data-testid="event-${row.index}" data-kind="${row.kind}" data-state="${state}" class="${rowClass}">
<td class="num">${row.index}</td>
<td><b>${KIND_WORDS[row.kind] ?? row.kind}</b><div class="small">${row.label}</div></td>
<td class="num" data-testid="event-start" data-value="${row.startMs}">${fmtMs(row.startMs)}</td>
<td class="num strong" data-testid="event-rto" data-value="${row.rtoMs ?? ''}">${row.rtoMs === null ? notRecovered : fmtMsPm(row.rtoMs, row.precisionMs)}${
    row.overlappedBy !== null && row.rtoMs !== null ? html`<div class="small muted">recovered together with event ${row.overlappedBy}</div>` : ''
  }</td>
<td class="num" data-testid="event-downtime" data-value="${row.downtimeMs ?? ''}">${row.downtimeMs === null ? notRecovered : fmtMsPm(row.downtimeMs, row.precisionMs)}</td>
<td class="num" data-testid="event-writes">${fmtInt(row.sentWrites)} / ${fmtInt(row.failedWrites)} / ${fmtInt(row.unknownWrites)}</td>
<td class="num" data-testid="event-lost" data-value="${row.lostWrites ?? ''}">${row.lostWrites === null ? 'unknown' : fmtInt(row.lostWrites)}</td>
<td class="num" data-testid="event-within" data-value="${row.withinMs ?? ''}">${row.withinMs === null ? (row.kind === 'failover' ? '—' : 'not done') : fmtMs(row.withinMs)}${
    row.errantTransactions !== null
      ? html`<div class="small${row.errantTransactions > 0 ? ' warn' : ''}" data-testid="event-errant" data-value="${row.errantTransactions}">${fmtInt(row.errantTransactions)} errant</div>`
      : ''
  }</td>
<td>${objectives.length === 0 ? html`<span class="muted">none declared</span>` : objectives.map((o) => objectivePill(o))}</td></tr>`;
}

function objectivePill(o: ObjectiveResult): SafeHtml {
  const state = objectiveState(o);
  const mark = state === 'met' ? '✓' : state === 'missed' ? '✗' : '?';
  const cls = state === 'met' ? 'met' : state === 'missed' ? 'missed' : 'unmeasured';
  const measured = o.measured === null ? `not measured: ${o.why ?? 'no value'}` : fmtValue(o.measured, o.unit, o.precisionMs);
  return html`<div class="${cls}" data-testid="event-objective-${o.name}" data-state="${state}">${mark} ${OBJECTIVE_LABELS[o.name] ?? o.name} ${measured} (${fmtDeclared(o)})</div>`;
}

function errantParagraphs(rows: EventMeasured[]): SafeHtml {
  return html`${rows
    .filter((row) => row.errant && row.errant.count > 0)
    .map((row) => {
      const e = row.errant!;
      const what =
        e.resolution === 'refused'
          ? 'the node was left out of the cluster (errant: fail)'
          : e.resolution === 'discarded'
            ? 'they were discarded: the node was re-cloned from the primary (errant: rebuild)'
            : '';
      return html`<p class="warn" data-testid="errant-${row.index}">Event ${row.index}: <b>${fmtInt(e.count)} errant transaction${e.count === 1 ? '' : 's'}</b> on the returning node that the primary does not have (first: <code>${e.first.join(', ')}</code>; write ids ${e.writeIds.join(', ') || '—'}); ${what}.</p>`;
    })}`;
}

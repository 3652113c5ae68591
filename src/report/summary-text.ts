import type { EventMeasured, ResultJson } from './result.js';
import { objectiveState } from '../measure/objectives.js';
import { fmtInt, fmtMs, fmtMsPm, fmtValue, objectiveLabel } from './format.js';

/** What a word of the summary says, for a terminal that shows colour (cli/colour.ts): green, red, yellow, magenta. */
export type Tone = 'good' | 'bad' | 'warn' | 'stopped';
/** Colour a word by its tone (bold: the verdict); the identity where colour is off (files, pipes, junit.xml). */
export type Paint = (tone: Tone, text: string, bold?: boolean) => string;

const plain: Paint = (_tone, text) => text;

/** PASS green, FAIL red, ERROR yellow, ABORTED magenta; anything else a result file may hold, yellow. */
export function verdictTone(verdict: unknown): Tone {
  switch (verdict) {
    case 'pass':
      return 'good';
    case 'fail':
      return 'bad';
    case 'aborted':
      return 'stopped';
    case 'error':
    default:
      return 'warn';
  }
}

/**
 * A few lines for the terminal: verdict, objectives declared vs measured, the counts. Text from outside
 * (drill name, reason) is stripped of control characters so a hostile name cannot drive the terminal;
 * `paint` colours the verdict and the marks (only the CLI passes one, for a terminal).
 */
export function renderSummaryText(result: ResultJson, paint: Paint = plain): string {
  const lines: string[] = [];
  const verdict = clean(String(result.verdict ?? 'error')).toUpperCase();
  lines.push(`${paint(verdictTone(result.verdict), verdict, true)}  ${clean(result.drill?.name)}`);
  if (result.reason) lines.push(`  ${clean(result.reason)}`);
  for (const o of result.objectives ?? []) {
    const label = clean(objectiveLabel(o, result.perEvent)).padEnd(18);
    const state = objectiveState(o);
    const measured = o.measured === null ? `not measured: ${clean(o.why ?? 'no value')}` : fmtValue(o.measured, o.unit, o.precisionMs);
    const mark = state === 'met' ? `${paint('good', 'ok')}  ` : state === 'missed' ? paint('bad', 'MISS') : `${paint('warn', 'N/A')} `;
    lines.push(`  ${mark} ${label} ${measured} (${o.bound === 'min' ? 'min' : 'max'} ${fmtValue(o.declared, o.unit)})`);
  }
  for (const layer of Array.isArray(result.layers) ? result.layers : []) {
    for (const c of layer.checks)
      lines.push(`  ${c.ok ? `${paint('good', 'ok')}  ` : paint('bad', 'FAIL')} ${clean(`${layer.kind}: ${c.name}`)}: ${clean(c.measured ?? '')}${c.declared ? ` (${clean(c.declared)})` : ''}`);
  }
  const m = result.measured;
  if (m) {
    lines.push(`  writes: ${fmtInt(m.totalWrites)} sent, ${fmtInt(m.ackedWrites)} acked, ${fmtInt(m.failedWrites)} failed, ${fmtInt(m.unknownWrites)} unknown`);
    const n = (v: number | null) => (v === null ? 'unknown' : fmtInt(v));
    lines.push(`  data:   ${n(m.lostWrites)} lost (${fmtInt(m.lost?.ackedAfterFault ?? 0)} acked after the fault), ${n(m.recoveredWrites)} recovered, ${n(m.unexpectedWrites)} unexpected`);
    lines.push(
      `  time:   RTO ${m.rtoMs === null ? 'not recovered' : fmtMsPm(m.rtoMs, m.precisionMs)}, downtime ${
        m.downtimeMs === null ? 'not recovered' : fmtMsPm(m.downtimeMs, m.precisionMs)
      }, RPO ${m.rpoMs === null ? 'unknown' : fmtMs(m.rpoMs)}`,
    );
  }
  const rows = Array.isArray(result.perEvent) ? result.perEvent : [];
  // One line per event once there is more than the drill's own figures to tell.
  if (rows.length > 1 || rows.some((r) => r.kind !== 'failover')) for (const r of rows) lines.push(`  ${clean(eventLine(r))}`);
  return lines.join('\n') + '\n';
}

export function clean(v: unknown): string {
  // C0 controls except tab, DEL, and C1 controls (ESC-less CSI 0x9b included).
  return String(v ?? '').replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, ' ');
}

/** "event 2 switchover db-1 → db-2: RTO 310 ms ± 6 ms, 12 failed, 0 unknown, 0 lost, took 640 ms". */
export function eventLine(r: EventMeasured): string {
  const rto = r.rtoMs === null ? 'not recovered' : `RTO ${fmtMsPm(r.rtoMs, r.precisionMs)}`;
  const lost = r.lostWrites === null ? 'lost unknown' : `${fmtInt(r.lostWrites)} lost`;
  const within = r.withinMs === null ? '' : `, ${r.kind === 'rejoin' ? 'caught up in' : 'took'} ${fmtMs(r.withinMs)}`;
  const errant = r.errantTransactions === null ? '' : `, ${fmtInt(r.errantTransactions)} errant transaction${r.errantTransactions === 1 ? '' : 's'}${r.errant ? ` (${r.errant.resolution})` : ''}`;
  // Planned operations are labelled by their kind already ("switchover db-1 → db-2"); faults are not ("kill primary → db-1").
  const what = r.label.startsWith(`${r.kind} `) ? r.label : `${r.kind} ${r.label}`;
  return `event ${r.index} ${what}: ${rto}, ${fmtInt(r.failedWrites)} failed, ${fmtInt(r.unknownWrites)} unknown, ${lost}${within}${errant}`;
}

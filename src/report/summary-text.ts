import type { ResultJson } from './result.js';
import { objectiveState } from '../measure/objectives.js';
import { fmtInt, fmtMs, fmtMsPm, fmtValue, OBJECTIVE_LABELS } from './format.js';

/**
 * A few lines for the terminal: verdict, objectives declared vs measured, the counts. Text from outside
 * (drill name, reason) is stripped of control characters so a hostile name cannot drive the terminal.
 */
export function renderSummaryText(result: ResultJson): string {
  const lines: string[] = [];
  const verdict = clean(String(result.verdict ?? 'error')).toUpperCase();
  lines.push(`${verdict}  ${clean(result.drill?.name)}`);
  if (result.reason) lines.push(`  ${clean(result.reason)}`);
  for (const o of result.objectives ?? []) {
    const label = (OBJECTIVE_LABELS[o.name] ?? clean(o.name)).padEnd(18);
    const state = objectiveState(o);
    const measured = o.measured === null ? `not measured: ${clean(o.why ?? 'no value')}` : fmtValue(o.measured, o.unit, o.precisionMs);
    lines.push(`  ${state === 'met' ? 'ok  ' : state === 'missed' ? 'MISS' : 'N/A '} ${label} ${measured} (${o.bound === 'min' ? 'min' : 'max'} ${fmtValue(o.declared, o.unit)})`);
  }
  for (const layer of Array.isArray(result.layers) ? result.layers : []) {
    for (const c of layer.checks) lines.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${clean(`${layer.kind}: ${c.name}`)}: ${clean(c.measured ?? '')}${c.declared ? ` (${clean(c.declared)})` : ''}`);
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
  return lines.join('\n') + '\n';
}

export function clean(v: unknown): string {
  // C0 controls except tab, DEL, and C1 controls (ESC-less CSI 0x9b included).
  return String(v ?? '').replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, ' ');
}

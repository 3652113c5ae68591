import { objectiveState } from '../measure/objectives.js';
import { fmtInt, fmtMsPm, fmtValue, OBJECTIVE_LABELS } from '../report/format.js';
import type { ResultJson } from '../report/result.js';

// The JSON body of `--notify-url`. `text` is what Slack, Mattermost and Rocket.Chat incoming webhooks
// (and most incident tools) show as the message, so it carries the verdict on its own; `drill` is the
// same run structured, for a relay or a tool that reads fields. The input may be a result.json read from
// disk (`drill report`): every figure is checked to be a number, every text stripped of control characters.

export interface NotifiedObjective {
  name: string;
  declared: number | null;
  measured: number | null;
  unit: string;
  /** ± bound of `measured`; null where the measurement states none (counts are exact). */
  precisionMs: number | null;
  state: 'met' | 'missed' | 'not-measured';
}

export interface NotifiedFigures {
  rtoMs: number | null;
  downtimeMs: number | null;
  rpoMs: number | null;
  precisionMs: number | null;
  totalWrites: number | null;
  ackedWrites: number | null;
  failedWrites: number | null;
  unknownWrites: number | null;
  lostWrites: number | null;
  recoveredWrites: number | null;
  unexpectedWrites: number | null;
}

export interface NotificationBody {
  text: string;
  drill: {
    schemaVersion: 1;
    runId: string;
    name: string;
    verdict: string;
    reason: string | null;
    stack: string | null;
    startedAt: string;
    finishedAt: string;
    objectives: NotifiedObjective[];
    /** null when nothing was measured (the run ended before the load). */
    measured: NotifiedFigures | null;
    /** Absolute paths on the host that ran the drill; null when that file was not written. */
    reportPath: string | null;
    resultPath: string | null;
  };
}

/** The longest reason quoted in `text` (the structured `reason` is whole). */
const TEXT_REASON_CHARS = 300;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

export function notificationBody(result: ResultJson, paths: { reportPath: string | null; resultPath: string | null }): NotificationBody {
  const objectives = (Array.isArray(result.objectives) ? result.objectives : []).map((o): NotifiedObjective => ({
    name: str(o.name),
    declared: num(o.declared),
    measured: num(o.measured),
    unit: str(o.unit),
    precisionMs: num(o.precisionMs),
    state: objectiveState(o),
  }));
  const m: unknown = result.measured;
  const measured = m !== null && typeof m === 'object' ? figures(m) : null;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a result.json from disk may lack any field
  const drill = result.drill ?? { name: '' };
  const structured: NotificationBody['drill'] = {
    schemaVersion: 1,
    runId: str(result.runId),
    name: str(drill.name),
    verdict: str(result.verdict),
    reason: typeof result.reason === 'string' ? result.reason : null,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- likewise
    stack: typeof result.stack?.kind === 'string' ? result.stack.kind : null,
    startedAt: str(result.startedAt),
    finishedAt: str(result.finishedAt),
    objectives,
    measured,
    reportPath: paths.reportPath,
    resultPath: paths.resultPath,
  };
  return { text: notificationText(structured), drill: structured };
}

function figures(m: Partial<Record<keyof NotifiedFigures, unknown>>): NotifiedFigures {
  return {
    rtoMs: num(m.rtoMs),
    downtimeMs: num(m.downtimeMs),
    rpoMs: num(m.rpoMs),
    precisionMs: num(m.precisionMs),
    totalWrites: num(m.totalWrites),
    ackedWrites: num(m.ackedWrites),
    failedWrites: num(m.failedWrites),
    unknownWrites: num(m.unknownWrites),
    lostWrites: num(m.lostWrites),
    recoveredWrites: num(m.recoveredWrites),
    unexpectedWrites: num(m.unexpectedWrites),
  };
}

/** Two lines: `FAIL  name: RTO 2.551 s ± 269.7 ms, 25 lost writes; missed: Lost writes 25 (max 0)`, then where the report is. */
function notificationText(d: NotificationBody['drill']): string {
  const m = d.measured;
  const figures = m
    ? `RTO ${m.rtoMs === null ? 'not recovered' : fmtMsPm(m.rtoMs, m.precisionMs)}, ${m.lostWrites === null ? 'lost writes unknown' : `${fmtInt(m.lostWrites)} lost writes`}`
    : 'nothing measured';
  const missed = d.objectives.filter((o) => o.state === 'missed').map((o) => `${label(o)} ${fmtValue(o.measured, o.unit, o.precisionMs)} (max ${fmtValue(o.declared, o.unit)})`);
  const unmeasured = d.objectives.filter((o) => o.state === 'not-measured').map(label);
  const tail: string[] = [];
  if (missed.length) tail.push(`missed: ${missed.join(', ')}`);
  if (unmeasured.length) tail.push(`not measured: ${unmeasured.join(', ')}`);
  if (d.verdict === 'pass') tail.push('every objective met');
  else if (d.verdict !== 'fail' && d.reason) tail.push(d.reason.length > TEXT_REASON_CHARS ? `${d.reason.slice(0, TEXT_REASON_CHARS)}…` : d.reason);
  const first = `${d.verdict.toUpperCase()}  ${d.name}: ${figures}${tail.length ? `; ${tail.join('; ')}` : ''}`;
  const where = d.reportPath ? `report: ${d.reportPath}` : d.resultPath ? `result.json: ${d.resultPath}` : 'the reports could not be written';
  return [first, where].map(chatSafe).join('\n');
}

function label(o: { name: string }): string {
  return OBJECTIVE_LABELS[o.name] ?? o.name;
}

/**
 * One line a chat tool shows as typed: control characters become spaces, and `&`, `<`, `>` are escaped
 * as Slack requires (`<!channel>` would otherwise ping a whole channel); Mattermost and Rocket.Chat render
 * those entities back as the characters.
 */
function chatSafe(line: string): string {
  return line
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

import { objectiveState } from '../measure/objectives.js';
import { availabilityOf } from '../measure/availability.js';
import type { ResultJson } from '../report/result.js';
import { writeFileAtomic } from '../report/write-file-atomic.js';

// `--metrics-file`: one run in the Prometheus text exposition format (version 0.0.4), for node_exporter's
// textfile collector (a directory of *.prom files it re-reads on every scrape) or a Pushgateway. Written
// atomically (a temp file in the same directory, renamed), so a scrape never reads half a file. Values are
// base units (seconds), as Prometheus wants; a figure drill does not have is left out, never written as 0.

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (l: Labels) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;
const OBJECTIVE_NAMES: Record<string, string> = {
  rtoMs: 'rto',
  downtimeMs: 'downtime',
  lostWrites: 'lost_writes',
  rpoMs: 'rpo',
  unexpectedWrites: 'unexpected_writes',
  availability: 'availability',
  withinMs: 'within',
  errantTransactions: 'errant_transactions',
};
/** An objective's labels: an event's carries the event's number (two events may both declare an rto). */
const objectiveLabels = (drill: Labels, o: ResultJson['objectives'][number]): Labels => ({
  ...drill,
  objective: OBJECTIVE_NAMES[o.name] ?? o.name,
  ...(o.event === undefined ? {} : { event: String(o.event) }),
});

export function renderPrometheus(result: ResultJson): string {
  const drill = { drill: result.drill.name };
  const families: { name: string; help: string; type: 'gauge'; samples: [Labels, number][] }[] = [];
  const gauge = (name: string, help: string, samples: [Labels, number | null | undefined][]) => {
    const known = samples.filter((s): s is [Labels, number] => typeof s[1] === 'number' && Number.isFinite(s[1]));
    if (known.length) families.push({ name, help, type: 'gauge', samples: known });
  };
  const s = (ms: number | null | undefined) => (typeof ms === 'number' ? ms / 1000 : null);
  const m = result.measured;
  gauge('drill_run_info', 'The last run of the drill: its id and verdict as labels (always 1).', [[{ ...drill, run_id: result.runId, verdict: result.verdict, stack: result.stack.kind }, 1]]);
  gauge('drill_run_passed', '1 when the last run passed (every objective met), 0 otherwise.', [[drill, result.verdict === 'pass' ? 1 : 0]]);
  gauge('drill_run_finished_timestamp_seconds', 'When the last run finished (Unix time).', [[drill, Date.parse(result.finishedAt) / 1000]]);
  gauge('drill_run_duration_seconds', 'Wall time of the last run.', [[drill, (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000]]);
  gauge('drill_rto_seconds', 'Measured RTO: fault to stable recovery of writes.', [[drill, s(m?.rtoMs)]]);
  gauge('drill_downtime_seconds', 'Measured downtime: first failed write to stable recovery.', [[drill, s(m?.downtimeMs)]]);
  gauge('drill_precision_seconds', 'The ± bound of the RTO and downtime figures.', [[drill, m && m.rtoMs !== null ? s(m.precisionMs) : null]]);
  gauge('drill_rpo_seconds', 'Measured RPO: fault time minus the last acknowledgement before which nothing was lost.', [[drill, s(m?.rpoMs)]]);
  gauge('drill_lost_writes', 'Acknowledged writes missing after recovery.', [[drill, m?.lostWrites]]);
  gauge('drill_unexpected_writes', 'Writes present that were never acknowledged nor unknown.', [[drill, m?.unexpectedWrites]]);
  gauge('drill_writes', 'Writes of the last run by outcome.', [
    [{ ...drill, outcome: 'ok' }, m?.ackedWrites],
    [{ ...drill, outcome: 'fail' }, m?.failedWrites],
    [{ ...drill, outcome: 'unknown' }, m?.unknownWrites],
  ]);
  gauge(
    'drill_objective_met',
    'Per declared objective: 1 met, 0 missed or not measured.',
    result.objectives.map((o): [Labels, number] => [objectiveLabels(drill, o), o.met ? 1 : 0]),
  );
  gauge(
    'drill_objective_measured',
    'Per declared objective: 1 when it could be measured, 0 when not (no recovery before the end of the load, data not read back, ...).',
    result.objectives.map((o): [Labels, number] => [objectiveLabels(drill, o), objectiveState(o) === 'not-measured' ? 0 : 1]),
  );
  gauge(
    'drill_objective_declared',
    'Per declared objective: its bound (seconds for times, writes for counts, a 0-1 ratio for availability).',
    result.objectives.map((o): [Labels, number] => [objectiveLabels(drill, o), o.unit === 'ms' ? o.declared / 1000 : o.unit === 'percent' ? o.declared / 100 : o.declared]),
  );
  // Each event of the drill (a fault, a switchover, a failback, a rejoin): its own figures.
  const rows = result.perEvent ?? [];
  const ev = (r: (typeof rows)[number]): Labels => ({ ...drill, event: String(r.index), kind: r.kind });
  gauge(
    'drill_event_rto_seconds',
    'Per event: its start to the stable recovery of writes (0: no write of its window failed).',
    rows.map((r) => [ev(r), s(r.rtoMs)]),
  );
  gauge(
    'drill_event_lost_writes',
    'Per event: acknowledged writes it lost.',
    rows.map((r) => [ev(r), r.lostWrites]),
  );
  gauge(
    'drill_event_failed_writes',
    'Per event: writes of its window that failed or got no answer.',
    rows.map((r) => [ev(r), r.failedWrites + r.unknownWrites]),
  );
  gauge(
    'drill_event_duration_seconds',
    'Per planned operation: start to done (a rejoin: until the node had caught up).',
    rows.map((r) => [ev(r), s(r.withinMs)]),
  );
  gauge(
    'drill_event_errant_transactions',
    'Per rejoin: transactions the returning node had that the primary does not.',
    rows.map((r) => [ev(r), r.errantTransactions]),
  );
  // With a declared MTBF: the availability this run's recovery implies, as Prometheus keeps ratios (0-1).
  const mtbfMs = result.availability?.mtbfMs;
  const rtoMs = m?.rtoMs ?? null;
  if (mtbfMs !== undefined && rtoMs !== null)
    gauge('drill_availability_ratio', "MTBF / (MTBF + RTO) of this run, with the drill file's availability.mtbf.", [[drill, availabilityOf(mtbfMs, rtoMs).availability]]);
  const checks = (result.layers ?? []).flatMap((l) => l.checks.map((c): [Labels, number] => [{ ...drill, layer: l.kind, check: c.name }, c.ok ? 1 : 0]));
  gauge('drill_layer_check_ok', "Per layer check (a backup store's restore, ...): 1 ok, 0 failed.", checks);
  return families.map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.samples.map(([l, v]) => `${f.name}${labelText(l)} ${v}`)].join('\n')).join('\n') + '\n';
}

/** Write the metrics of `result` to `file` atomically (a textfile collector must never read half a file). */
export async function writeMetricsFile(file: string, result: ResultJson): Promise<void> {
  await writeFileAtomic(file, renderPrometheus(result));
}

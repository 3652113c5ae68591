import { formatDurationMs } from '../spec/duration.js';
import type { DrillPlan } from './plan.js';

// The plan as text for a terminal: one section per part of the drill, aligned, in the order a run goes.

const LABEL_WIDTH = 12;

function section(label: string, first: string, more: string[] = []): string {
  const indent = ' '.repeat(LABEL_WIDTH);
  return [`${label.padEnd(LABEL_WIDTH)}${first}`, ...more.map((line) => `${indent}${line}`)].join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 2)))
      .join('')
      .trimEnd(),
  );
}

export function renderPlan(plan: DrillPlan): string {
  const { drill, stack, load } = plan;
  const parts: string[] = [];
  parts.push(`dry run: what \`drill run ${drill.file}\` would do. Nothing is started, nothing is written, and the engine is not contacted.`);

  const variables = drill.variables.map((v) => `${v.name} (${v.from === 'environment' ? 'from the environment' : 'its default'}${v.secret ? ', a secret: masked' : ''})`);
  parts.push(
    [
      section('drill', `${drill.name}  ${drill.file}  sha256 ${drill.sha256.slice(0, 12)}…`, drill.description ? [drill.description] : []),
      ...(variables.length > 0 ? [section('variables', variables.join(', '))] : []),
      section('engine', `${plan.engine}: a run checks that it answers, that it has the images, and removes what dead runs left, before it starts anything`),
    ].join('\n'),
  );

  const nodes = table(stack.nodes.map((n) => [n.name, n.role, n.image].filter((cell, i) => i < 2 || cell !== '')));
  parts.push(section('stack', stack.kind, [...nodes.map((line) => `  ${line}`), `failover: ${stack.failover}`, ...stack.notes]));
  if (plan.layers.length > 0) parts.push(section('layers', plan.layers[0]!, plan.layers.slice(1)));

  parts.push(
    section('load', `${load.rate} writes/s over ${load.connections} connections to ${load.endpoints}; a write unanswered after ${formatDurationMs(load.timeoutMs)} is "unknown"`, [
      `${formatDurationMs(load.warmupMs)} warm-up, then ${formatDurationMs(load.durationMs)} measured (t=0 is the end of the warm-up): about ${load.writes.toLocaleString('en-US')} writes`,
      load.probe,
    ]),
  );

  const whenOf = (atMs: number | null) => (atMs === null ? 'then' : `at ${formatDurationMs(atMs)}`);
  // The column is as wide as the longest "at …" (at 6100ms is wider than the usual at 3s) plus a gap.
  const whenWidth = Math.max(9, ...plan.steps.map((s) => whenOf(s.atMs).length + 2));
  const steps = plan.steps.flatMap((s) => {
    const head = `steps[${s.index}]  ${whenOf(s.atMs).padEnd(whenWidth)}${s.action}`;
    const pad = ' '.repeat(`steps[${s.index}]  `.length + whenWidth);
    return [head, ...(s.target === null ? [] : [`${pad}target: ${s.target}`]), ...(s.heal === null ? [] : [`${pad}heal:   ${s.heal}`])];
  });
  parts.push(
    section(
      'steps',
      'in order; times from t=0',
      steps.map((line) => `  ${line}`),
    ),
  );

  parts.push(
    section(
      'objectives',
      'each one missed is a FAIL (exit 1)',
      table(plan.objectives.map((o) => [o.name, o.bound])).map((line) => `  ${line}`),
    ),
  );
  parts.push(
    [
      section('measure', `recovery: the first ok write after which every write for ${formatDurationMs(plan.measure.stableMs)} is ok; timeline buckets of ${formatDurationMs(plan.measure.bucketMs)}`),
      section('abortIf', plan.abortIf.length === 0 ? 'nothing: the run never aborts on its own' : `abort (heal, tear down, exit 3) when ${plan.abortIf.join('; or when ')}`),
      ...(plan.schedule === null ? [] : [section('schedule', `${JSON.stringify(plan.schedule)}: \`drill schedule ${drill.file} --dry-run\` prints its next times`)]),
    ].join('\n'),
  );

  const out = plan.outputs;
  parts.push(
    section('outputs', `${out.reportsDir}/: result.json, report.html, junit.xml, writes.csv, logs/; and ${out.indexPath}`, [
      stack.kind === 'compose'
        ? "your stack is left running as it was; only drill's own helpers are removed"
        : out.keepStack
          ? '--keep-stack: the stack is left running afterwards (faults healed); `drill cleanup` removes it'
          : 'the stack is removed at the end, whatever happens',
      ...(out.metricsFile === null ? [] : [`--metrics-file: the figures in Prometheus text format to ${out.metricsFile}`]),
      ...(out.notifyUrl === null ? [] : [`--notify-url: the verdict POSTed to ${out.notifyUrl}`]),
    ]),
  );
  return `${parts.join('\n\n')}\n`;
}

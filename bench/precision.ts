// Benchmark: is drill's stated precision honest? Repeats known outages (Redis master frozen 0.5 / 1.3 /
// 2.7 s, the app killed and started again, the app cut off its database and healed) through the real CLI
// and compares each measured downtime with the true outage from the target's side: its cgroup freezer's
// freeze and thaw, read by the benchmark, or the app's own record of the writes it served
// (bench/precision/ground-truth.ts). The truth may overstate by its slack, allowed below it.
// Prints every run, the error distribution and the coverage (runs whose error is inside the stated ±);
// exits 1 below 95 % coverage, or when a run could not be judged.
// Usage: node --import tsx bench/precision.ts [runs per scenario, default 2] [scenario name ...]
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Dockerode from 'dockerode';
import { SCENARIOS } from './precision/scenarios.js';
import { runScenario, type ScenarioRun } from './precision/run-scenario.js';

const REQUIRED_COVERAGE = 0.95;

const runs = Number(process.argv[2] ?? 2);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs per scenario must be a positive integer, not ${process.argv[2]}`);
const only = process.argv.slice(3);
const scenarios = only.length ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
if (scenarios.length === 0) throw new Error(`no scenario named ${only.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);

const docker = new Dockerode();
const outDir = await mkdtemp(path.join(os.tmpdir(), 'drill-bench-precision-'));
const t0 = performance.now();
// The app's stamps (Date.now()) and drill's run clock (performance.now() + its origin) must agree: how far
// the wall clock moves against the monotonic one in this process over the whole benchmark.
const wallMinusMono0 = Date.now() - (performance.timeOrigin + performance.now());

const fmt = (ms: number | null | undefined) => (ms === null || ms === undefined ? 'n/a' : `${ms.toFixed(1)} ms`);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
console.log(`precision benchmark: ${scenarios.length} scenarios × ${runs} runs, reports under ${outDir}; load average ${load()} (1/5/15 min, ${os.cpus().length} cores)`);
console.log(
  `${'scenario'.padEnd(14)}${'true outage'.padStart(13)}${'truth slack'.padStart(16)}${'served gap'.padStart(13)}${'engine ev.'.padStart(13)}${'downtime'.padStart(13)}${'error'.padStart(11)}${'precision'.padStart(12)}  inside`,
);

const results: ScenarioRun[] = [];
for (const scenario of scenarios) {
  for (let i = 0; i < runs; i++) {
    const r = await runScenario(docker, scenario, outDir, `${process.pid}-${i + 1}`);
    results.push(r);
    const j = r.judged;
    const row = `${scenario.name.padEnd(14)}${fmt(j?.trueOutageMs).padStart(13)}${(j ? `−${j.truthSlackMs.toFixed(1)} +${j.truthUnderstateMs.toFixed(1)}` : 'n/a').padStart(16)}${fmt(r.servedGap?.outageMs).padStart(13)}${fmt(r.engineFreeze?.outageMs).padStart(13)}${fmt(j?.measuredMs).padStart(13)}${fmt(j?.errorMs).padStart(11)}${(j ? `± ${j.precisionMs.toFixed(1)}` : 'n/a').padStart(12)}  ${j?.inside ? 'yes' : 'NO'}`;
    console.log(r.problem ? `${row}  (${r.problem})` : row);
  }
}

/** Nearest-rank percentile of sorted values. */
const rank = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

function summary(label: string, rows: readonly ScenarioRun[]): number {
  const errors = rows
    .map((r) => r.judged?.errorMs)
    .filter((e): e is number => typeof e === 'number')
    .sort((a, b) => a - b);
  const precisions = rows.map((r) => r.judged?.precisionMs).filter((p): p is number => typeof p === 'number');
  const inside = rows.filter((r) => r.judged?.inside).length;
  const coverage = rows.length ? inside / rows.length : 0;
  const dist = errors.length ? `error min ${fmt(errors[0])}, median ${fmt(rank(errors, 0.5))}, p95 ${fmt(rank(errors, 0.95))}, max ${fmt(errors.at(-1))}` : 'no error measured';
  const stated = precisions.length ? `, stated ± ${Math.min(...precisions).toFixed(1)}–${Math.max(...precisions).toFixed(1)} ms` : '';
  console.log(`${label.padEnd(14)}${dist}${stated}; coverage ${inside}/${rows.length} = ${(coverage * 100).toFixed(0)} %`);
  return coverage;
}

console.log('');
for (const scenario of scenarios)
  summary(
    scenario.name,
    results.filter((r) => r.scenario === scenario),
  );
const coverage = summary('all', results);
const driftMs = Date.now() - (performance.timeOrigin + performance.now()) - wallMinusMono0;
console.log(`\n${results.length} runs in ${((performance.now() - t0) / 1000).toFixed(0)} s, load average now ${load()}; wall clock vs monotonic clock moved ${driftMs.toFixed(2)} ms meanwhile`);
const unjudged = results.filter((r) => !r.judged).length;
if (unjudged) console.log(`${unjudged} run(s) could not be judged`);
process.exitCode = coverage >= REQUIRED_COVERAGE && unjudged === 0 ? 0 : 1;

// Benchmark: how long the "up" phase takes (phasesMs.up of result.json): the stack started and ready.
// Each drill's stack is brought up and torn down N times through the run's own phases (preflight, up,
// down); no load, no faults. Prints min/median/p90/max of the up phase per drill, and the load average.
// Usage: node --import tsx bench/stack-up.ts [runs] [drill file ...]
import os from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { loadDrillFile } from '../src/spec/load-drill.js';
import { newRun } from '../src/run/run-drill.js';
import { preflight } from '../src/run/phases/preflight.js';
import { up } from '../src/run/phases/up.js';
import { down } from '../src/run/phases/down.js';
import { createLogger } from '../src/util/log.js';

const runs = Number(process.argv[2] ?? 5);
const files = process.argv.slice(3);
if (files.length === 0)
  files.push('drills/redis-sentinel-kill-master.yaml', 'drills/mysql-async-lagging-replica-kill-primary.yaml', 'drills/mysql-kill-primary.yaml', 'drills/mysql-semisync-kill-primary.yaml');
const outDir = await mkdtemp(path.join(os.tmpdir(), 'drill-bench-up-'));
const log = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn', pretty: false });

/** Nearest-rank percentile of sorted values. */
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

console.log(`stack up: ${runs} runs per drill, ${os.cpus().length} cores, load average at start ${load()}`);
const rows: Record<string, string | number>[] = [];
for (const file of files) {
  const drill = await loadDrillFile(file);
  const upMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = newRun({ drill: { ...drill, file }, outDir, log, signal: new AbortController().signal });
    try {
      await run.journal.phase('preflight', () => preflight(run));
      await run.journal.phase('up', () => up(run));
      upMs.push(run.journal.phasesMs.up!);
      console.log(`${path.basename(file, '.yaml')} run ${i + 1}: up ${upMs.at(-1)} ms (load ${load()})`);
    } catch (error) {
      console.log(`${file} run ${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await down(run);
    }
  }
  const sorted = [...upMs].sort((a, b) => a - b);
  const s = drill.spec.stack;
  const shape =
    s.kind === 'redis-sentinel'
      ? `${s.replicas + 1} redis, ${s.sentinels} sentinels, ${s.apps} app(s)`
      : s.kind === 'mysql-replication'
        ? `${s.replicas + 1} db (${s.replication.mode}${s.delayedReplica ? ', delayed' : ''}), 1 app`
        : s.kind === 'postgres'
          ? `${s.replicas + 1} postgres (${s.replication.synchronousStandbyNames ? 'sync' : 'async'}), 1 app`
          : s.kind;
  rows.push({
    drill: path.basename(file, '.yaml'),
    stack: shape,
    ok: `${upMs.length}/${runs}`,
    minMs: sorted[0] ?? NaN,
    medianMs: pct(sorted, 50),
    p90Ms: pct(sorted, 90),
    maxMs: sorted.at(-1) ?? NaN,
    load: load(),
  });
}
console.table(rows);

// Benchmark: a runbook failover, MariaDB next to PostgreSQL, on the same machine at the same time. Runs
// each drill file in turn (alternating, so both see the same background load) through the programmatic
// API and prints per run: the stack's up phase, the RTO, the promote and repoint steps' own durations
// (from their timeline events), and the acknowledged writes lost. Figures only; nothing is asserted.
// Usage: npm run build && node bin/drill.js images --build && node --import tsx bench/runbook-failover.ts [runs] [drill file ...]
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDrillFile } from '../src/spec/load-drill.js';
import { runDrill } from '../src/run/run-drill.js';
import { createLogger } from '../src/util/log.js';

const runs = Number(process.argv[2] ?? 3);
const files = process.argv.slice(3);
if (files.length === 0) files.push('drills/mysql-kill-primary.yaml', 'drills/pg-kill-primary-runbook.yaml');
const outDir = await mkdtemp(path.join(os.tmpdir(), 'drill-bench-runbook-'));
const log = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn', pretty: false });
const drills = await Promise.all(files.map(async (file) => ({ ...(await loadDrillFile(file)), file })));
const load = () => os.loadavg()[0]!.toFixed(2);

/** A runbook step's own duration: its event's message ends with "(N ms)". */
function stepMs(events: { marker?: string; message: string }[], marker: string): number | null {
  const e = events.find((x) => x.marker === marker);
  const m = e ? /\((\d+) ms\)$/.exec(e.message) : null;
  return m ? Number(m[1]) : null;
}

console.log(`runbook failover: ${runs} runs per drill, alternating, ${os.cpus().length} cores, 1-min load at start ${load()}`);
const rows: Record<string, string | number | null>[] = [];
for (let i = 0; i < runs; i++) {
  for (const d of drills) {
    const { result } = await runDrill({ drill: { spec: d.spec, file: d.file, source: d.source, sha256: d.sha256 }, outDir, log, signal: new AbortController().signal });
    const m = result.measured;
    rows.push({
      drill: path.basename(d.file, '.yaml'),
      run: i + 1,
      verdict: result.verdict,
      upMs: result.phasesMs.up ?? null,
      rtoMs: m?.rtoMs ?? null,
      precisionMs: m?.precisionMs ?? null,
      promoteMs: stepMs(result.events, 'runbook-promote'),
      repointMs: stepMs(result.events, 'runbook-repoint'),
      lost: m?.lostWrites ?? null,
      load: load(),
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
}
console.table(rows);

// Benchmark: what drill costs around the declared load time. Runs the reference drill through the
// programmatic API and prints wall-clock per phase and "overhead" = total − (warm-up + load duration).
// Usage: node --import tsx bench/drill-overhead.ts [drill file] [runs]
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDrillFile } from '../src/spec/load-drill.js';
import { runDrill } from '../src/run/run-drill.js';
import { createLogger } from '../src/util/log.js';

const file = process.argv[2] ?? 'drills/redis-sentinel-kill-master.yaml';
const runs = Number(process.argv[3] ?? 2);
const { spec, source, sha256 } = await loadDrillFile(file);
const outDir = await mkdtemp(path.join(os.tmpdir(), 'drill-bench-'));
const log = createLogger({ level: 'warn', pretty: false });
const declaredMs = spec.load.warmupMs + spec.load.durationMs;

console.log(`drill overhead: ${file}, ${runs} runs, declared load ${declaredMs} ms (warm-up + duration)`);
const rows: Record<string, number>[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const { result } = await runDrill({ drill: { spec, file, source, sha256 }, outDir, log, signal: new AbortController().signal });
  const totalMs = Math.round(performance.now() - t0);
  rows.push({ run: i + 1, totalMs, overheadMs: totalMs - declaredMs, ...result.phasesMs, rtoMs: result.measured?.rtoMs ?? -1 });
  if (result.verdict === 'error') console.log(`run ${i + 1}: error: ${result.reason}`);
}
console.table(rows);

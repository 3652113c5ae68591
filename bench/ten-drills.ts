// Benchmark: ten drills in a row in one process. Prints, per run, the labelled containers and networks
// on the engine, this process's open file descriptors, heap and RSS — a leak shows as a trend.
// Usage: node --expose-gc --import tsx bench/ten-drills.ts [drill file] [runs]
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Dockerode from 'dockerode';
import { loadDrillFile } from '../src/spec/load-drill.js';
import { runDrill } from '../src/run/run-drill.js';
import { createLogger } from '../src/util/log.js';

const file = process.argv[2] ?? 'drills/redis-stop-replica.yaml';
const runs = Number(process.argv[3] ?? 10);
const docker = new Dockerode();
const { spec, source, sha256 } = await loadDrillFile(file);
const outDir = await mkdtemp(path.join(os.tmpdir(), 'drill-bench-ten-'));
const log = createLogger({ level: 'warn', pretty: false });

async function sample(label: string | number) {
  (globalThis as { gc?: () => void }).gc?.();
  const filters = { label: ['drill.run-id'] };
  return {
    run: label,
    containers: (await docker.listContainers({ all: true, filters })).length,
    networks: (await docker.listNetworks({ filters })).length,
    fds: (await readdir('/proc/self/fd')).length,
    heapMiB: +(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1),
    rssMiB: +(process.memoryUsage().rss / 2 ** 20).toFixed(1),
  };
}

console.log(`ten drills in a row: ${file} × ${runs}`);
const rows = [await sample('before')];
for (let i = 1; i <= runs; i++) {
  const t0 = performance.now();
  const { result } = await runDrill({ drill: { spec, file, source, sha256 }, outDir, log, signal: new AbortController().signal });
  rows.push({ ...(await sample(i)), verdict: result.verdict, seconds: +((performance.now() - t0) / 1000).toFixed(1) } as never);
}
console.table(rows);

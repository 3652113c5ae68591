// Benchmark: how long the quick commands take from spawn to exit (issue 21), the compiled CLI as a user
// runs it, next to a bare `node -e 0` (Node.js's own start on this machine). Runs go round-robin over the
// commands, so a busy spell on the machine hits all of them alike; the load average is printed because
// other work on the machine shows in every figure.
// Usage: npm run build && node --import tsx bench/cli-start.ts [runs per command, default 20]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 20);
const drillFile = 'drills/redis-sentinel-kill-master.yaml';
const commands: { name: string; args: string[] }[] = [
  { name: 'node -e 0 (Node.js alone)', args: ['-e', '0'] },
  { name: 'drill --help', args: ['bin/drill.js', '--help'] },
  { name: 'drill --version', args: ['bin/drill.js', '--version'] },
  { name: `drill validate ${drillFile}`, args: ['bin/drill.js', 'validate', drillFile] },
  { name: `drill run --dry-run ${drillFile}`, args: ['bin/drill.js', 'run', '--dry-run', drillFile] },
];

if (!existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('no dist/: run `npm run build` first (this measures the compiled CLI)');
if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs: expected a positive integer, got ${process.argv[2] ?? ''}`);

/** Nearest rank: the smallest sample with at least q of all samples at or below it. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

const loadBefore = os.loadavg()[0]!;
const samplesMs = commands.map(() => [] as number[]);
for (let i = 0; i < runs; i++) {
  commands.forEach(({ name, args }, c) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    samplesMs[c]!.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${name}: exit ${r.status ?? r.signal ?? 'unknown'}`);
  });
}

console.log(`CLI start to exit, ${runs} runs each, ${os.cpus().length} cores, Node.js ${process.version}, load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after`);
console.table(
  commands.map(({ name }, c) => {
    const sorted = [...samplesMs[c]!].sort((a, b) => a - b);
    return { command: name, 'median ms': Math.round(quantile(sorted, 0.5)), 'p90 ms': Math.round(quantile(sorted, 0.9)), 'min ms': Math.round(sorted[0]!) };
  }),
);

// Benchmark: how long the quick commands take from spawn to exit (issue 21), the compiled CLI as a user
// runs it, next to a bare `node -e 0` (Node.js's own start on this machine). Runs go round-robin over the
// commands, so a busy spell on the machine hits all of them alike; the load average is printed because
// other work on the machine shows in every figure.
// Usage: npm run build && node --import tsx bench/cli-start.ts [runs per command, default 20] [other checkout]
// With another built checkout (e.g. the commit before a change, `git archive` into a temp directory with
// node_modules linked and `npx tsc` run there), its CLI runs in the same round-robin loop, so before and
// after see the same load.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 20);
const other = process.argv[3] === undefined ? undefined : path.resolve(process.argv[3]);
const drillFile = 'drills/redis-sentinel-kill-master.yaml';
const cliCommands: { name: string; args: string[] }[] = [
  { name: 'drill --help', args: ['--help'] },
  { name: 'drill --version', args: ['--version'] },
  { name: `drill validate ${drillFile}`, args: ['validate', drillFile] },
  { name: `drill run --dry-run ${drillFile}`, args: ['run', '--dry-run', drillFile] },
];
/** Each command from this checkout, and from the other one (its drill file too) when given. */
const commands: { name: string; cwd: string; args: string[] }[] = [
  { name: 'node -e 0 (Node.js alone)', cwd: root, args: ['-e', '0'] },
  ...cliCommands.flatMap(({ name, args }) => [
    { name: other ? `${name} (this checkout)` : name, cwd: root, args: ['bin/drill.js', ...args] },
    ...(other ? [{ name: `${name} (${other})`, cwd: other, args: ['bin/drill.js', ...args] }] : []),
  ]),
];

for (const dir of [root, ...(other ? [other] : [])]) if (!existsSync(path.join(dir, 'dist', 'cli', 'main.js'))) throw new Error(`no ${dir}/dist/: build it first (this measures the compiled CLI)`);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs: expected a positive integer, got ${process.argv[2] ?? ''}`);

/** Nearest rank: the smallest sample with at least q of all samples at or below it. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

const loadBefore = os.loadavg()[0]!;
const samplesMs = commands.map(() => [] as number[]);
for (let i = 0; i < runs; i++) {
  commands.forEach(({ name, cwd, args }, c) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
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

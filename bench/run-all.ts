// `npm run bench`: every benchmark in turn. Each prints its own figures; nothing here asserts timings, but
// bench/precision.ts fails (exit 1) when fewer than 95 % of its runs lie inside drill's stated precision.
import { spawnSync } from 'node:child_process';

const benches = [
  ['bench/cli-start.ts', '20'],
  ['bench/load-path.ts'],
  ['bench/drill-overhead.ts', 'drills/redis-sentinel-kill-master.yaml', '2'],
  ['bench/ten-drills.ts', 'drills/redis-stop-replica.yaml', '10'],
  ['bench/precision.ts', '2'],
];
let failed = 0;
for (const [script, ...args] of benches) {
  console.log(`\n=== ${script} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script!, ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;

// Benchmark: automatic and runbook failovers side by side on the same machine at the same time: Redis
// Sentinel, the MariaDB and PostgreSQL runbooks, and Patroni with its default settings (ttl 30 s, loop_wait 10 s,
// retry_timeout 10 s) and with the tuned ones of drills/patroni-kill-leader.yaml (ttl 6 s, loop_wait 1 s,
// retry_timeout 2 s). Every drill kills its primary under write load; the drills run in turn (alternating,
// so all see the same background load). Per run it prints the up phase, the RTO, the system's own
// failover time where it has one (Sentinel's +switch-master, Patroni's leader lock, the runbook steps),
// the acknowledged writes lost, and the replication lag sampled under the drill's load before the fault
// (PostgreSQL's pg_stat_replication replay_lag on the primary, Redis's replica offsets as the master
// sees them, MariaDB's Seconds_Behind_Master). Figures only; nothing is asserted.
// Usage: npm run build && node bin/drill.js images --build && node --import tsx bench/failover-compare.ts [runs] [drill file ...]
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDrillFile } from '../src/spec/load-drill.js';
import { runDrill } from '../src/run/run-drill.js';
import { createLogger } from '../src/util/log.js';
import { createDocker } from '../src/engine/docker-client.js';
import { exec } from '../src/engine/docker-exec.js';
import { LABEL_RUN_ID } from '../src/engine/labels.js';
import type { LiveRun } from '../src/run/live-view.js';
import type { TimelineEvent } from '../src/measure/types.js';

const runs = Number(process.argv[2] ?? 2);
const outDir = await mkdtemp(path.join(os.tmpdir(), 'drill-bench-failover-'));
const log = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn', pretty: false });
const docker = createDocker();
const load = () => os.loadavg()[0]!.toFixed(2);

/** patroni-kill-leader with Patroni's own defaults: a copy written here, with a load long enough to see the failover through. */
async function patroniDefaults(): Promise<string> {
  const text = (await readFile('drills/patroni-kill-leader.yaml', 'utf8'))
    .replace(/^name: patroni-kill-leader$/m, 'name: patroni-kill-leader-defaults')
    .replace(/ttl: 6s/, 'ttl: 30s')
    .replace(/loopWait: 1s/, 'loopWait: 10s')
    .replace(/retryTimeout: 2s/, 'retryTimeout: 10s')
    .replace(/duration: 12s/, 'duration: 50s')
    .replace(/timeout: 30s/, 'timeout: 60s')
    .replace(/rto: 10s/, 'rto: 60s');
  if (!text.includes('ttl: 30s') || !text.includes('duration: 50s')) throw new Error('drills/patroni-kill-leader.yaml changed shape: update bench/failover-compare.ts');
  const file = path.join(outDir, 'patroni-kill-leader-defaults.yaml');
  await writeFile(file, text);
  return file;
}

const files = process.argv.slice(3);
if (files.length === 0)
  files.push('drills/redis-sentinel-kill-master.yaml', 'drills/mysql-kill-primary.yaml', 'drills/pg-kill-primary-runbook.yaml', 'drills/patroni-kill-leader.yaml', await patroniDefaults());
const drills = await Promise.all(files.map(async (file) => ({ ...(await loadDrillFile(file)), file })));

/** The system's own failover time, from the fault: Sentinel's +switch-master, Patroni's lock taken, or the runbook's repoint done (operator wait included). */
function ownFailoverMs(events: readonly TimelineEvent[], faultMs: number | undefined): number | null {
  if (faultMs === undefined) return null;
  const after = events.filter((e) => e.atMs >= faultMs);
  const own = after.find((x) => x.source === 'sentinel' && x.message.includes('+switch-master')) ?? after.find((x) => x.marker === 'leader-lock-acquired');
  if (own) return Math.round(own.atMs - faultMs);
  // A runbook step's event is stamped at its start; its message ends with its duration, "(N ms)".
  const repoint = after.find((x) => x.marker === 'runbook-repoint');
  const took = repoint ? /\((\d+) ms\)$/.exec(repoint.message) : null;
  return repoint && took ? Math.round(repoint.atMs + Number(took[1]) - faultMs) : null;
}

type Lag = { ms: number[]; bytes: number[]; sec: number[] };

/** One sample of replication lag from the run's own data nodes (found by the run's label). */
async function sampleLag(runId: string, kind: string, into: Lag): Promise<void> {
  const all = await docker.listContainers({ filters: { label: [`${LABEL_RUN_ID}=${runId}`] } }).catch(() => []);
  const list = all.filter((c) => c.Labels['drill.role'] === 'db' || c.Labels['drill.role'] === 'pg');
  const redis = all;
  if (kind === 'postgres' || kind === 'patroni') {
    const socket = kind === 'patroni' ? '/tmp' : '/var/run/postgresql';
    for (const c of list) {
      const r = await exec(
        docker,
        c.Id,
        [
          'psql',
          '-h',
          socket,
          '-U',
          'postgres',
          '-d',
          'postgres',
          '-At',
          '-c',
          "SELECT coalesce(extract(epoch FROM replay_lag) * 1000, 0), pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication WHERE NOT pg_is_in_recovery() AND state = 'streaming'",
        ],
        { timeoutMs: 3000 },
      ).catch(() => null);
      for (const line of (r?.code === 0 ? r.stdout : '').split('\n').filter(Boolean)) {
        const [ms, bytes] = line.split('|').map(Number);
        into.ms.push(ms!);
        into.bytes.push(bytes!);
      }
    }
  } else if (kind === 'redis-sentinel') {
    for (const c of redis.filter((x) => /^redis-\d+$/.test(x.Labels['drill.node'] ?? ''))) {
      const r = await exec(docker, c.Id, ['redis-cli', 'info', 'replication'], { timeoutMs: 3000 }).catch(() => null);
      const text = r?.stdout ?? '';
      if (!/^role:master/m.test(text)) continue;
      const master = Number(/^master_repl_offset:(\d+)/m.exec(text)?.[1]);
      for (const m of text.matchAll(/^slave\d+:.*offset=(\d+)/gm)) into.bytes.push(master - Number(m[1]));
    }
  } else if (kind === 'mysql-replication') {
    for (const c of list) {
      const r = await exec(docker, c.Id, ['sh', '-c', 'mariadb -uroot -e "SHOW SLAVE STATUS\\G" 2>/dev/null || mysql -uroot -e "SHOW SLAVE STATUS\\G"'], { timeoutMs: 3000 }).catch(() => null);
      const m = /Seconds_Behind_Master: (\d+)/.exec(r?.stdout ?? '');
      if (m) into.sec.push(Number(m[1]));
    }
  }
}

/** Sample while the load runs and no fault has been injected yet. */
function lagSampler(kind: string): { observe: (live: LiveRun) => void; lag: Lag; stop: () => void } {
  const lag: Lag = { ms: [], bytes: [], sec: [] };
  let live: LiveRun | undefined;
  let busy = false;
  const timer = setInterval(() => {
    const s = live?.snapshot();
    if (!s || busy || s.writes === null || s.faults.length === 0 || s.faults[0]!.state !== 'pending') return;
    busy = true;
    void sampleLag(s.runId, kind, lag).finally(() => (busy = false));
  }, 500);
  return {
    observe: (l) => (live = l),
    lag,
    stop: () => {
      clearInterval(timer);
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : null;
};
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
function lagText(lag: Lag): string {
  const parts: string[] = [];
  if (lag.ms.length) parts.push(`replay_lag median ${median(lag.ms)!.toFixed(1)} ms, max ${max(lag.ms)!.toFixed(1)} ms`);
  if (lag.bytes.length) parts.push(`behind median ${median(lag.bytes)} B, max ${max(lag.bytes)} B`);
  if (lag.sec.length) parts.push(`Seconds_Behind_Master max ${max(lag.sec)}`);
  const n = Math.max(lag.ms.length, lag.bytes.length, lag.sec.length);
  return parts.length ? `${parts.join('; ')} (${n} samples)` : 'no sample';
}

console.log(`failover compare: ${runs} runs per drill, alternating, ${os.cpus().length} cores, 1-min load at start ${load()}`);
const rows: Record<string, string | number | null>[] = [];
for (let i = 0; i < runs; i++) {
  for (const d of drills) {
    const sampler = lagSampler(d.spec.stack.kind);
    const { result } = await runDrill({ drill: { spec: d.spec, file: d.file, source: d.source, sha256: d.sha256 }, outDir, log, signal: new AbortController().signal, observe: sampler.observe });
    sampler.stop();
    const m = result.measured;
    const faultMs = result.faults[0]?.injectedAtMs;
    rows.push({
      drill: path.basename(d.file, '.yaml'),
      run: i + 1,
      verdict: result.verdict,
      upMs: result.phasesMs.up ?? null,
      rtoMs: m?.rtoMs ?? null,
      precisionMs: m?.precisionMs ?? null,
      ownFailoverMs: ownFailoverMs(result.events, faultMs),
      lost: m?.lostWrites ?? null,
      lag: lagText(sampler.lag),
      load: load(),
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
}
console.table(rows);

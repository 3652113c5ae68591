// Benchmark: MariaDB physical backups (mariadb-backup) as drill takes and restores them, on this machine.
// For each dataset size (MB of rows in drill.writes):
//   restore  the phases of drill's physical restore, timed apart: copy the backup file from the store to a
//            fresh node through the engine (a tar stream, as drill does), extract (mbstream -x), prepare,
//            move-back into an empty datadir, start the server; next to a plain `cp -a` of the same
//            datadir on the same disk (the machine's limit for moving those bytes);
//   overhead write latency (p50/p99) and throughput of a closed-loop insert load with no backup running,
//            then during a full backup streamed to the store (nc over a Docker network, as drill does);
//   replay   the binlog written by both loads replayed onto the restored node (mariadb-binlog | mariadb,
//            from the backup's GTID, as a PITR restore does): transactions/s and binlog MB/s.
// Figures only; nothing is asserted. Containers are this script's own (label drill.bench=physical-backup), removed at the end.
// Usage: npm run build && node bin/drill.js images --build && node --import tsx bench/physical-backup.ts [MB ...]   (default 50 500)
import { execFile, execFileSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import { imageRefs } from '../src/engine/images.js';

const sizesMb = process.argv.slice(2).map(Number);
if (sizesMb.length === 0) sizesMb.push(50, 500);
const image = (await imageRefs()).mariadb.tag;
const tag = `physbench-${process.pid}`;
const made: string[] = [];
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
const inside = (c: string, script: string) => docker('exec', c, 'bash', '-c', `set -eo pipefail\n${script}`);
const timed = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const out = f();
  return [out, performance.now() - t];
};
const mb = (bytes: number) => bytes / 1e6;
const SERVER =
  'mariadbd --no-defaults --user=mysql --datadir=/var/lib/mysql --socket=/run/mysqld/mysqld.sock --port=3306 --bind-address=0.0.0.0 --server-id=1 --log-bin=mysql-bin --binlog-format=ROW --innodb-buffer-pool-size=256M';

function start(name: string, cmd: string, network: string): string {
  const full = `${tag}-${name}`;
  docker('run', '-d', '--name', full, '--label', 'drill.bench=physical-backup', '--network', network, '-p', '127.0.0.1::3306', image, 'bash', '-c', cmd);
  made.push(full);
  return full;
}
const waitSql = (c: string) => inside(c, 'for i in $(seq 600); do mariadb -e "SELECT 1" > /dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1');

/** Closed-loop inserts on `conns` connections for `ms` (or until `done` settles): per-write latency percentiles and writes/s. */
async function insertLoad(port: number, ms: number, done?: Promise<unknown>, conns = 4): Promise<{ n: number; perSec: number; p50: number; p99: number }> {
  const pool = await Promise.all(Array.from({ length: conns }, () => mysql.createConnection({ host: '127.0.0.1', port, user: 'bench', password: 'bench', database: 'drill' })));
  const lat: number[] = [];
  const t0 = performance.now();
  let end = t0 + ms;
  void done?.finally(() => (end = performance.now()));
  if (done) end = Infinity;
  await Promise.all(
    pool.map(async (c) => {
      while (performance.now() < end) {
        const t = performance.now();
        await c.query('INSERT INTO writes (v) VALUES (REPEAT(MD5(RAND()), 30))');
        lat.push(performance.now() - t);
      }
    }),
  );
  await Promise.all(pool.map((c) => c.end()));
  lat.sort((a, b) => a - b);
  const q = (p: number) => Number(lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(1));
  return { n: lat.length, perSec: Math.round(lat.length / ((end - t0) / 1000)), p50: q(0.5), p99: q(0.99) };
}

const net = `${tag}-net`;
docker('network', 'create', '--label', 'drill.bench=physical-backup', net);
const rows: Record<string, string | number>[] = [];
try {
  console.log(`physical backup/restore: ${os.cpus().length} cores, image ${image}, 1-min load at start ${os.loadavg()[0]!.toFixed(2)}`);
  for (const size of sizesMb) {
    const src = start(`src-${size}`, `mkdir -p /run/mysqld && chown mysql /run/mysqld && exec ${SERVER}`, net);
    const store = start(`store-${size}`, 'mkdir -p /backups && exec sleep infinity', net);
    const fresh = start(`fresh-${size}`, 'mkdir -p /run/mysqld && chown mysql /run/mysqld && until [ -f /run/mysqld/go ]; do sleep 0.05; done; exec ' + SERVER, net);
    waitSql(src);
    // ~1 KB a row (30 MD5 hex strings): size × 1000 rows, in batches of 50 000.
    const total = size * 1000;
    const [, fillMs] = timed(() =>
      inside(
        src,
        `mariadb -e "CREATE DATABASE drill; CREATE TABLE drill.writes (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(1000)); CREATE USER bench@'%' IDENTIFIED BY 'bench'; GRANT ALL ON drill.* TO bench@'%'"
         left=${total}; while [ $left -gt 0 ]; do n=$(( left < 50000 ? left : 50000 )); mariadb -D drill -e "INSERT INTO writes (v) SELECT REPEAT(MD5(RAND()), 30) FROM seq_1_to_$n"; left=$((left - n)); done`,
      ),
    );
    const tableBytes = Number(inside(src, `mariadb -N -B -e "SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = 'drill' AND table_name = 'writes'"`));
    const storeIp = docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, store);
    const port = Number(docker('port', src, '3306').split(':').at(-1));
    /** A full backup streamed to the store as drill streams it; returns its ms. */
    const backupTo = (file: string): Promise<number> =>
      new Promise((resolve, reject) => {
        inside(store, `setsid bash -c 'exec nc -l 4444 > /backups/${file}' > /dev/null 2>&1 < /dev/null & sleep 0.3`);
        const t = performance.now();
        // In a child so the event loop stays free for the insert load meanwhile.
        execFile(
          'docker',
          [
            'exec',
            src,
            'bash',
            '-c',
            `set -o pipefail; rm -rf /tmp/lsn; mariadb-backup --backup --user=root --stream=mbstream --target-dir=/tmp/t --extra-lsndir=/tmp/lsn 2> /tmp/bk.log | nc -N ${storeIp} 4444`,
          ],
          { maxBuffer: 1 << 20 },
          (error) => {
            if (error) reject(new Error(`mariadb-backup: ${error.message}`));
            else resolve(performance.now() - t);
          },
        );
      });
    const backupMs = await backupTo('full.mbstream');
    const backupBytes = Number(inside(store, 'sleep 0.2; stat -c %s /backups/full.mbstream'));
    const gtid = inside(src, 'sed -n "s/^binlog_pos = .*GTID of the last change \'\\(.*\\)\'$/\\1/p" /tmp/lsn/xtrabackup_info');
    const [binlogFile, binlogPos] = inside(src, "sed -n \"s/^binlog_pos = filename '\\([^']*\\)', position '\\([0-9]*\\)'.*/\\1 \\2/p\" /tmp/lsn/xtrabackup_info").split(' ');

    // Overhead: the same insert load without and with a full backup running.
    const quiet = await insertLoad(port, 8000);
    // During: the same load for exactly as long as a second full backup runs.
    const second = backupTo('during.mbstream');
    const during = await Promise.all([insertLoad(port, 0, second), second]);

    // Restore of the first full backup onto the fresh node, phase by phase.
    const [, copyMs] = timed(() => execFileSync('bash', ['-c', `set -o pipefail; docker cp ${store}:/backups/full.mbstream - | docker cp - ${fresh}:/tmp/`]));
    const [, extractMs] = timed(() => inside(fresh, 'mkdir -p /tmp/w && mbstream -x -C /tmp/w < /tmp/full.mbstream'));
    const [, prepareMs] = timed(() => inside(fresh, 'mariadb-backup --prepare --target-dir=/tmp/w > /tmp/prepare.log 2>&1'));
    const [, moveMs] = timed(() =>
      inside(fresh, 'find /var/lib/mysql -mindepth 1 -delete && mariadb-backup --move-back --target-dir=/tmp/w --datadir=/var/lib/mysql > /tmp/mb.log 2>&1 && chown -R mysql:mysql /var/lib/mysql'),
    );
    const [, startMs] = timed(() => {
      inside(fresh, 'touch /run/mysqld/go');
      waitSql(fresh);
    });
    const restoreMs = copyMs + extractMs + prepareMs + moveMs + startMs;
    const restoredBytes = Number(inside(fresh, 'du -sb /var/lib/mysql | cut -f1'));
    const [, cpMs] = timed(() => inside(fresh, 'sync; cp -a /var/lib/mysql /tmp/cp-copy && sync'));
    inside(fresh, 'rm -rf /tmp/cp-copy /tmp/full.mbstream');

    // PITR replay: every transaction of both loads, from the backup's GTID, onto the restored node.
    // The binlog bytes the replay reads: from the backup's position on (the fill before it is in the backup).
    const binlogBytes = Number(
      inside(
        src,
        `cd /var/lib/mysql; t=0; for f in $(ls mysql-bin.[0-9]* | sort); do s=$(stat -c %s $f); if [ "$f" = "${binlogFile}" ]; then t=$((t + s - ${binlogPos})); elif [ "$f" \\> "${binlogFile}" ]; then t=$((t + s)); fi; done; echo $t`,
      ),
    );
    const [, shipMs] = timed(() =>
      execFileSync('bash', [
        '-c',
        `set -o pipefail; docker exec ${src} bash -c 'cd /var/lib/mysql && tar c mysql-bin.[0-9]*' | docker exec -i ${fresh} bash -c 'mkdir -p /tmp/bl && tar x -C /tmp/bl'`,
      ]),
    );
    const [replayed, replayMs] = timed(() =>
      inside(
        fresh,
        `cd /tmp/bl && mariadb-binlog --no-defaults --start-position=${gtid} $(ls mysql-bin.[0-9]* | sort) > /tmp/replay.sql && grep -c '^#.*GTID [0-9]' /tmp/replay.sql; mariadb --init-command='SET SESSION sql_log_bin=0' < /tmp/replay.sql`,
      ),
    );
    const txns = Number(replayed.split('\n')[0]);
    const check = inside(fresh, 'mariadb -N -B -e "SELECT COUNT(*) FROM drill.writes"') === inside(src, 'mariadb -N -B -e "SELECT COUNT(*) FROM drill.writes"');

    const row = {
      datasetMB: size,
      tableMB: Math.round(mb(tableBytes)),
      restoredDatadirMB: Math.round(mb(restoredBytes)),
      fillS: Number((fillMs / 1000).toFixed(1)),
      backupMB: Math.round(mb(backupBytes)),
      backupS: Number((backupMs / 1000).toFixed(2)),
      copyS: Number((copyMs / 1000).toFixed(2)),
      extractS: Number((extractMs / 1000).toFixed(2)),
      prepareS: Number((prepareMs / 1000).toFixed(2)),
      moveBackS: Number((moveMs / 1000).toFixed(2)),
      startS: Number((startMs / 1000).toFixed(2)),
      restoreS: Number((restoreMs / 1000).toFixed(2)),
      restoreMBps: Math.round(mb(restoredBytes) / (restoreMs / 1000)),
      cpS: Number((cpMs / 1000).toFixed(2)),
      cpMBps: Math.round(mb(restoredBytes) / (cpMs / 1000)),
      quietWps: quiet.perSec,
      quietP50ms: quiet.p50,
      quietP99ms: quiet.p99,
      backupWps: during[0].perSec,
      backupP50ms: during[0].p50,
      backupP99ms: during[0].p99,
      backupDuringS: Number((during[1] / 1000).toFixed(2)),
      replayBinlogMB: Number(mb(binlogBytes).toFixed(1)),
      binlogShipS: Number((shipMs / 1000).toFixed(2)),
      replayTxns: txns,
      replayS: Number((replayMs / 1000).toFixed(2)),
      replayTxnPerS: Math.round(txns / (replayMs / 1000)),
      replayMBps: Number((mb(binlogBytes) / (replayMs / 1000)).toFixed(1)),
      rowCountsMatch: String(check),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
    for (const c of [src, store, fresh]) docker('rm', '-f', c);
  }
} finally {
  for (const c of made) {
    try {
      execFileSync('docker', ['rm', '-f', c], { stdio: 'ignore' });
    } catch {
      // already removed after its size
    }
  }
  docker('network', 'rm', net);
}
for (const r of rows) console.table(r);

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { BackupLayerResult } from '../../src/layers/result.js';
import { leftovers, requireEngine, runCli, runDrillFile } from './helpers.js';

// The backup layer on the real engine: backups of the live primary under the load, following a
// failover, and a real restore. Each drill is kept running so the test reads the restored backup file
// itself, with its own tools, and compares what it finds with what drill reported.

function sh(container: string, script: string): string {
  return execFileSync('docker', ['exec', container, 'sh', '-c', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function backupLayer(result: { layers?: unknown }): BackupLayerResult {
  const layers = (result.layers ?? []) as BackupLayerResult[];
  assert.equal(layers.length, 1, 'one layer in result.json');
  assert.equal(layers[0]!.kind, 'backup');
  return layers[0]!;
}

/** What a backup schedule and its restore must show, whatever the stack. */
function checkSchedule(l: BackupLayerResult, faultAtMs: number, primaryBefore: string, primaryAfter: string): void {
  for (const c of l.checks) assert.ok(c.ok, `${c.name}: ${c.detail}`);
  const ok = l.backups.filter((b) => b.ok);
  assert.ok(ok.length >= 4, `at least 4 backups over the run, got ${ok.length}`);
  // Backups follow the primary: before the fault from the old one, after it from the new one.
  const nodeOf = (name: string) => name.replace(/^drill-[0-9a-f]+-(\w+)-(\d+)$/, '$1-$2');
  assert.ok(
    ok.some((b) => b.endedAtMs <= faultAtMs && b.node === nodeOf(primaryBefore)),
    'a backup of the old primary before the fault',
  );
  assert.ok(
    ok.some((b) => b.startedAtMs > faultAtMs && b.node === nodeOf(primaryAfter)),
    'a backup of the new primary after the failover',
  );
  // The restored one is the newest finished before the fault.
  const expected = ok.filter((b) => b.endedAtMs <= faultAtMs).at(-1)!;
  assert.equal(l.restore?.seq, expected.seq);
  // Writes went on between that backup and the fault: a restore loses them, within the schedule's window.
  assert.ok(l.lostIfRestored! > 0, 'a restore as of the fault loses the writes after the backup');
  assert.ok(l.restoreRpoMs! > 0 && l.restoreRpoMs! <= faultAtMs - expected.startedAtMs + 50, `restore RPO ${l.restoreRpoMs} ms within fault − backup start (${faultAtMs - expected.startedAtMs} ms)`);
  // Retention: at most `keep` besides the one kept for the restore.
  const kept = ok.filter((b) => b.deletedAtMs === undefined);
  assert.ok(kept.length <= l.keep + 1, `retention keeps ${l.keep} (+ the restore point), ${kept.length} kept`);
}

/** One shipped backup drill, kept running so its restored backup can be read independently, then cleaned up. */
function backupDrill(title: string, file: string, independent: { what: string; check(l: BackupLayerResult): void }): void {
  describe(`backup layer: ${title}`, () => {
    let run: Awaited<ReturnType<typeof runDrillFile>>;
    before(async () => {
      await requireEngine();
      run = await runDrillFile(file, ['--keep-stack']);
    });
    after(async () => {
      await runCli(['cleanup']);
    });

    it('passes, with backups before and after the failover and the pre-fault one restored', () => {
      const { result } = run;
      assert.equal(result.verdict, 'pass', result.reason ?? '');
      assert.equal(run.code, 0);
      checkSchedule(backupLayer(result), result.faults[0]!.injectedAtMs, result.stack.primaryBefore!, result.stack.primaryAfter!);
      // The store is on its own network (the second site) as well as the stack's.
      const store = backupLayer(result).containers[0]!.name;
      const networks = execFileSync('docker', ['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', store], { encoding: 'utf8' }).trim().split(' ');
      assert.ok(
        networks.some((n) => n.endsWith('-site-b')),
        `store networks: ${networks.join(', ')}`,
      );
    });

    it(independent.what, () => {
      independent.check(backupLayer(run.result));
    });

    it('cleanup removes the store with the stack', async () => {
      const cleanup = await runCli(['cleanup']);
      assert.equal(cleanup.code, 0, cleanup.stderr);
      assert.deepEqual(await leftovers(run.result.runId), []);
    });
  });
}

backupDrill('redis-backup-restore (RDB snapshots, Sentinel failover, real restore)', 'drills/redis-backup-restore.yaml', {
  what: 'the restored RDB file, read with redis-check-rdb and a server of our own, holds what drill reported',
  check(l) {
    const store = l.containers[0]!.name;
    const file = l.restore!.file;
    assert.match(sh(store, `redis-check-rdb ${file} 2>&1`), /RDB looks OK/);
    const ids = sh(
      store,
      `cp ${file} /tmp/own.rdb && redis-server --port 7777 --dir /tmp --dbfilename own.rdb --save '' --daemonize yes >/dev/null && sleep 0.5 && redis-cli -p 7777 --raw smembers drill:writes; redis-cli -p 7777 shutdown nosave >/dev/null 2>&1 || true`,
    )
      .split('\n')
      .filter((s) => /^\d+$/.test(s));
    assert.equal(ids.length, l.restore!.writes);
  },
});

backupDrill('mysql-backup-dump (mariadb-dump, runbook failover, real restore)', 'drills/mysql-backup-dump.yaml', {
  what: 'the restored dump file holds exactly the ids drill read back from the scratch server',
  check(l) {
    // mariadb-dump writes one row per line; a drill.writes row is its id and its read key (NULL when the
    // drill declares no reads): "(17,NULL)," or "(923,3);".
    const rows = sh(l.containers[0]!.name, `grep -cE '^\\([0-9]+,(NULL|[0-9]+)\\)[,;]$' ${l.restore!.file}`).trim();
    assert.equal(Number(rows), l.restore!.writes);
  },
});

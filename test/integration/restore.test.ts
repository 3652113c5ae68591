import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { leftovers, removeKeptRun, requireEngine, runDrillFile } from './helpers.js';
import { assertArchiveLoss, backupLayer, directIds, exists, readsOf, writesOf, type Write } from './restore-helpers.js';

// The restore drills of issue 13 on the real engine. Each is kept running so the test reads the restored
// node itself (its own client over the container's socket) and recomputes lost and discarded writes from
// writes.csv (every write drill sent, with its outcome), independently of drill's measurement.

function restoreDrill(file: string, checks: (ctx: { result: ResultJson; writes: Write[]; restored: Set<number> | null; restoredName: string; resultPath: string }) => Promise<void> | void): void {
  describe(path.basename(file, '.yaml'), () => {
    let run: Awaited<ReturnType<typeof runDrillFile>> | undefined;
    before(async () => {
      await requireEngine();
      run = await runDrillFile(file, ['--keep-stack']);
    });
    after(async () => {
      if (run) await removeKeptRun(run.result.runId);
    });

    it('passes, restored onto a fresh node, and the figures match a direct read of it', async () => {
      const { result } = run!;
      assert.equal(result.verdict, 'pass', result.reason ?? run!.stderr.slice(-3000));
      assert.equal(run!.code, 0);
      const l = backupLayer(result);
      const r = l.restores?.[0];
      assert.ok(r && !r.error, `a restore ran: ${r?.error ?? 'none'}`);
      // Each phase timed, in order, on the timeline.
      assert.deepEqual(
        r.phases.map((p) => p.name),
        [
          'restore-provision',
          'restore-copy',
          ...(l.method === 'physical' ? ['restore-prepare', 'restore-start'] : ['restore-load']),
          ...(r.backupGtid === null ? [] : ['restore-replay']),
          'restore-repoint',
        ],
      );
      for (const p of r.phases)
        assert.ok(
          result.events.some((e) => e.marker === p.name),
          `${p.name} on the timeline`,
        );
      assert.ok(r.restoreTimeMs !== null && r.firstGoodWriteAtMs! > r.phases.at(-1)!.endedAtMs, 'a first good write after the repoint');
      // The restored node is a new container: the primary after the drill is the node the restore provisioned.
      const restoredName = result.stack.primaryAfter!;
      assert.ok(restoredName.endsWith(`-${r.node}`), `${restoredName} is the restored ${r.node}`);
      assert.notEqual(restoredName, result.stack.primaryBefore);
      assert.ok(r.copiedBytes > 0, 'the backup was copied to the new node');
      await checks({ result, writes: await writesOf(run!.resultPath), restored: directIds(restoredName), restoredName, resultPath: run!.resultPath });
    });

    it('leaves nothing behind once removed', async () => {
      await removeKeptRun(run!.result.runId);
      assert.deepEqual(await leftovers(run!.result.runId), []);
    });
  });
}

restoreDrill('drills/mariadb-destroy-primary-restore-latest.yaml', async ({ result, writes, restored, restoredName }) => {
  // The destroyed nodes are gone, data and all.
  for (const f of result.faults) {
    assert.equal(f.kind, 'destroy');
    assert.equal(await exists(f.container), false, `${f.container} no longer exists`);
  }
  assert.ok(restored, 'drill.writes is on the restored node');
  assertArchiveLoss(result, writes, restored);
  const l = backupLayer(result);
  assert.ok(l.binlogArchive && l.binlogArchive.samples.some((s) => s.lagBytes === 0), 'the archive was seen caught up');
  assert.ok(l.restores![0]!.replayedTransactions > 0, 'archived transactions were replayed after the backup');
  // Physical backups: the restore applied a full backup and at least one incremental on it. Read from the
  // store itself: each file of the chain unpacked, its xtrabackup_checkpoints chained by LSN.
  assert.equal(l.method, 'physical');
  const r = l.restores![0]!;
  const chain = r.chain ?? [];
  assert.ok(chain.length >= 2, `a full backup and at least one incremental were restored: ${JSON.stringify(chain)}`);
  const store = l.containers.find((c) => c.role === 'backup-store')!.name;
  let toLsn: number | null = null;
  for (const [i, link] of chain.entries()) {
    const b = l.backups.find((x) => x.seq === link.seq)!;
    const cp = storeCheckpoints(store, b.file!);
    assert.equal(cp.backup_type, i === 0 ? 'full-backuped' : 'incremental', `backup #${b.seq} in the store is ${i === 0 ? 'full' : 'incremental'}`);
    if (i === 0) assert.equal(cp.from_lsn, '0');
    else assert.equal(Number(cp.from_lsn), toLsn, `incremental #${b.seq} starts at the LSN its base ends at`);
    assert.equal(Number(cp.to_lsn), link.toLsn);
    toLsn = Number(cp.to_lsn);
  }
  // The restored node's datadir came from mariadb-backup (its record of the backup moved in with it).
  const info = execFileSync('docker', ['exec', restoredName, 'cat', '/var/lib/mysql/xtrabackup_info'], { encoding: 'utf8' });
  assert.match(info, /tool_name = mariadb-backup/);
});

/** xtrabackup_checkpoints of a physical backup file in the store, unpacked there into a scratch folder. */
function storeCheckpoints(store: string, file: string): Record<string, string> {
  const script = 'd=$(mktemp -d) && mbstream -x -C "$d" < "$1" && cat "$d/xtrabackup_checkpoints"; rm -rf "$d"';
  const out = execFileSync('docker', ['exec', store, 'sh', '-c', script, 'sh', file], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .split('\n')
      .map((line) => /^(\w+) = (.*)$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
}

restoreDrill('drills/mariadb-backups-only-restore.yaml', async ({ result, writes, restored, resultPath }) => {
  const reads = await readsOf(resultPath);
  assert.ok(restored);
  const l = backupLayer(result);
  const r = l.restores![0]!;
  const disasterAtMs = result.faults[0]!.injectedAtMs;
  const lost = writes.filter((w) => w.ok && !restored.has(w.id));
  assert.equal(lost.length, result.measured!.lostWrites, 'drill counts the same lost writes as a direct read');
  assert.ok(lost.length > 0, 'without an archive, the writes after the newest backup are lost');
  // Every write acknowledged before the restored backup started is there; the lost ones came after it,
  // so the loss window is bounded by the backup's age at the disaster (reported both ways).
  assert.ok(
    lost.every((w) => w.completeMs >= r.backupStartedAtMs),
    'only writes acknowledged after the backup started are lost',
  );
  assert.equal(Math.round(l.backupAgeMs!), Math.round(disasterAtMs - r.backupStartedAtMs));
  assert.ok(result.measured!.rpoMs! <= l.backupAgeMs! + 1, `RPO ${result.measured!.rpoMs} ms within the backup's age ${l.backupAgeMs} ms`);
  // The first read of old data after the restore, found again from reads.csv and writes.csv: the first ok
  // read sent after the repoint whose value is a write acknowledged before the disaster.
  const repointedAtMs = r.phases.find((p) => p.name === 'restore-repoint')!.endedAtMs;
  const old = new Set(writes.filter((w) => w.ok && w.completeMs < disasterAtMs).map((w) => w.id));
  const firstOld = reads
    .filter((x) => x.outcome === 'ok' && x.invokeMs >= repointedAtMs && x.version !== null && old.has(x.version))
    .reduce<number | null>((best, x) => (best === null || x.completeMs < best ? x.completeMs : best), null);
  assert.ok(firstOld !== null, 'a read after the restore found old data');
  assert.ok(Math.abs(r.firstGoodReadAtMs! - firstOld) <= 0.06, `drill ${r.firstGoodReadAtMs}, reads.csv ${firstOld} (written to 0.1 ms)`);
  assert.ok(Math.abs(r.readRestoreTimeMs! - (firstOld - r.startedAtMs)) <= 0.06);
  // Reads failed while the data site was gone, and none found data before the repoint.
  assert.ok(
    reads.some((x) => x.outcome !== 'ok' && x.invokeMs > disasterAtMs && x.invokeMs < repointedAtMs),
    'reads failed during the disaster',
  );
  assert.ok(result.events.some((e) => e.marker === 'restore-first-read'));
});

/** A point-in-time restore before an operator's mistake: nothing acknowledged before it lost, what came after counted as discarded. */
function pitrChecks({ result, writes, restored }: { result: ResultJson; writes: Write[]; restored: Set<number> | null }): void {
  const mistake = result.faults[0]!;
  assert.equal(mistake.kind, 'operator-mistake');
  assert.match(mistake.gtid ?? '', /^\d+-\d+-\d+$/);
  assert.ok(restored, 'the table exists on the restored node');
  const before = writes.filter((w) => w.ok && w.completeMs < mistake.injectedAtMs);
  const missingBefore = before.filter((w) => !restored.has(w.id));
  assert.equal(missingBefore.length, 0, `every write acknowledged before the mistake is back (first missing: ${missingBefore[0]?.id})`);
  const discarded = writes.filter((w) => w.ok && w.completeMs >= mistake.injectedAtMs && !restored.has(w.id)).length;
  assert.equal(result.measured!.discardedWrites, discarded, 'discarded by the recovery point, counted apart');
  assert.equal(result.measured!.lostWrites, 0);
  const r = backupLayer(result).restores![0]!;
  assert.equal(r.lastReplayedGtid, r.stopGtid, 'the replay stopped at the transaction before the mistake');
}

restoreDrill('drills/mariadb-drop-table-pitr.yaml', (ctx) => {
  // The mistake was real: the old primary has no table any more; the restored node has it again.
  assert.equal(directIds(ctx.result.faults[0]!.container), null, 'the table is gone on the old primary');
  pitrChecks(ctx);
});

restoreDrill('drills/mariadb-delete-all-pitr.yaml', (ctx) => {
  // The app kept writing after the DELETE: those writes were acknowledged, then rolled back on purpose.
  const old = directIds(ctx.result.faults[0]!.container);
  assert.ok(old && old.size > 0, 'the old primary holds only what came after the DELETE');
  assert.ok(ctx.result.measured!.discardedWrites! > 0, 'writes acknowledged after the DELETE are discarded by the recovery point');
  for (const id of old) assert.equal(ctx.restored!.has(id), false, `write ${id}, kept by the old primary after the DELETE, is not in the restore`);
  pitrChecks(ctx);
});

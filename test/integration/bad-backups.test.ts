import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { leftovers, removeKeptRun, requireEngine, runDrillFile, tempDir } from './helpers.js';
import { assertArchiveLoss, backupLayer, directIds, writesOf, type Write } from './restore-helpers.js';

// The bad-backup drills and the restore to a time (issue 13) on the real engine, each kept running so
// the test reads the restored node and the backup store itself; lost and discarded writes are
// recomputed from writes.csv, independently of drill's measurement.

interface Ctx {
  result: ResultJson;
  writes: Write[];
  restored: Set<number>;
  store: string;
  code: number | null;
}

function storeExec(store: string, script: string): string {
  return execFileSync('docker', ['exec', store, 'sh', '-c', script], { encoding: 'utf8' });
}

function keptDrill(file: string, checks: (ctx: Ctx) => void): void {
  describe(path.basename(file, '.yaml'), () => {
    let run: Awaited<ReturnType<typeof runDrillFile>> | undefined;
    before(async () => {
      await requireEngine();
      run = await runDrillFile(file, ['--keep-stack']);
    });
    after(async () => {
      if (run) await removeKeptRun(run.result.runId);
    });

    it('restores onto a fresh node, and the figures match a direct read of it and of the store', async () => {
      const { result } = run!;
      const r = backupLayer(result).restores?.[0];
      assert.ok(r && !r.error, `a restore ran: ${r?.error ?? 'none'} ${run!.stderr.slice(-2000)}`);
      const restoredName = result.stack.primaryAfter!;
      assert.ok(restoredName.endsWith(`-${r.node}`), `${restoredName} is the restored ${r.node}`);
      const restored = directIds(restoredName);
      assert.ok(restored, 'drill.writes is on the restored node');
      const store = backupLayer(result).containers.find((c) => c.role === 'backup-store')!.name;
      checks({ result, writes: await writesOf(run!.resultPath), restored, store, code: run!.code });
    });

    it('leaves nothing behind once removed', async () => {
      await removeKeptRun(run!.result.runId);
      assert.deepEqual(await leftovers(run!.result.runId), []);
    });
  });
}

keptDrill('drills/mariadb-corrupt-latest-backup.yaml', ({ result, writes, restored, store, code }) => {
  assert.equal(result.verdict, 'pass', result.reason ?? '');
  assert.equal(code, 0);
  const corrupt = result.faults.find((f) => f.kind === 'corrupt-backup')!;
  const l = backupLayer(result);
  const damaged = l.backups.find((b) => b.seq === corrupt.backupSeq)!;
  // The damage is real: the file in the store no longer hashes as it did when it was taken.
  const now = storeExec(store, `sha256sum ${damaged.file} | cut -d' ' -f1`).trim();
  assert.notEqual(now, damaged.sha256, 'the corrupted backup hashes differently now');
  const r = l.restores![0]!;
  assert.deepEqual(
    r.skipped!.map((k) => k.seq),
    [damaged.seq],
    'the restore skipped the damaged backup, and only it',
  );
  assert.match(r.skipped![0]!.why, /checksum mismatch/);
  assert.ok(r.backupSeq < damaged.seq, `fell back to an older backup (#${r.backupSeq})`);
  // That older backup is intact in the store.
  const used = l.backups.find((b) => b.seq === r.backupSeq)!;
  assert.equal(storeExec(store, `sha256sum ${used.file} | cut -d' ' -f1`).trim(), used.sha256);
  assert.ok(r.replayedTransactions > 0, 'the archive was replayed from the older backup');
  assertArchiveLoss(result, writes, restored);
  assert.ok(result.events.some((e) => e.marker === 'backup-damage'));
  assert.match(l.rpoExplained ?? '', new RegExp(`backup #${damaged.seq} skipped`));
  // CHECKSUM TABLE on the restored node: the rows acknowledged before the disaster, as drill expected them.
  const disaster = result.faults.find((f) => f.kind === 'destroy')!;
  const expected = writes.filter((w) => w.ok && w.completeMs < disaster.injectedAtMs).length;
  assert.equal(r.checksum?.expectedRows, expected);
  assert.equal(r.checksum.match, true, JSON.stringify(r.checksum));
});

keptDrill('drills/mariadb-broken-binlog-chain.yaml', ({ result, writes, restored, store }) => {
  assert.equal(result.verdict, 'pass', result.reason ?? '');
  const brk = result.faults.find((f) => f.kind === 'break-binlog-chain')!;
  const disaster = result.faults.find((f) => f.kind === 'destroy')!;
  const r = backupLayer(result).restores![0]!;
  // The removed file is really gone from the archive, and the restore names it as the gap.
  const archived = storeExec(store, 'ls /backups/binlog/*/').split('\n');
  assert.ok(!archived.includes(brk.removedBinlog!), `${brk.removedBinlog} is not in the store`);
  assert.ok(
    archived.some((f) => f > brk.removedBinlog!),
    'the archive went on after the gap',
  );
  assert.deepEqual(r.chainGap?.missing, [brk.removedBinlog]);
  // Independently: everything acknowledged before the gap began is back; everything acknowledged after
  // the file after the gap began (the fault's return) up to the disaster is not.
  const beforeGap = writes.filter((w) => w.ok && w.completeMs < brk.gapFromMs!);
  assert.deepEqual(
    beforeGap.filter((w) => !restored.has(w.id)).map((w) => w.id),
    [],
    'every write acknowledged before the gap is restored',
  );
  const afterGap = writes.filter((w) => w.ok && w.completeMs > brk.injectReturnedAtMs && w.completeMs < disaster.injectedAtMs);
  assert.ok(afterGap.length > 0);
  assert.equal(afterGap.filter((w) => restored.has(w.id)).length, 0, 'no write after the gap was replayed');
  const lost = writes.filter((w) => w.ok && !restored.has(w.id));
  assert.ok(lost.length > 0);
  assert.equal(result.measured!.lostWrites, lost.length, 'drill counts the same lost writes as a direct read');
  assert.ok(
    lost.every((w) => w.completeMs >= brk.gapFromMs!),
    'only writes acknowledged after the gap began are lost',
  );
  // The RPO is the gap's: from the last surviving write before the first lost one to the disaster. That
  // write was acknowledged before the rotation took effect, so at the latest just before the first lost
  // one, and at the earliest at the last write acknowledged before the fault was called (when the load
  // sent nothing between the call and the rotation, it lies before gapFromMs).
  const firstLost = Math.min(...lost.map((w) => w.completeMs));
  const lastBeforeGap = Math.max(...beforeGap.map((w) => w.completeMs));
  const rpo = result.measured!.rpoMs!;
  const tDisaster = disaster.effectFromMs ?? disaster.injectedAtMs;
  assert.ok(rpo <= tDisaster - lastBeforeGap + 1 && rpo >= tDisaster - firstLost - 1, `RPO ${rpo} ms: expected between ${tDisaster - firstLost} and ${tDisaster - lastBeforeGap} ms`);
  assert.match(backupLayer(result).rpoExplained ?? '', /binlog chain broken/);
  // The checksum of the rows acknowledged before the disaster cannot match: the gap's writes are missing.
  const c = r.checksum!;
  assert.equal(c.match, false);
  assert.equal(c.expectedRows - c.restoredRows, writes.filter((w) => w.ok && w.completeMs < disaster.injectedAtMs && !restored.has(w.id)).length);
  assert.notEqual(c.expected, c.restored);
});

keptDrill('drills/mariadb-backup-store-down.yaml', ({ result, writes, restored }) => {
  assert.equal(result.verdict, 'pass', result.reason ?? '');
  const down = result.faults.find((f) => f.kind === 'backup-store-down')!;
  const disaster = result.faults.find((f) => f.kind === 'destroy')!;
  const l = backupLayer(result);
  // The attempts due while the store was down failed, each on the timeline.
  const missed = l.backups.filter((b) => !b.ok && b.startedAtMs >= down.injectedAtMs && b.startedAtMs <= down.healReturnedAtMs!);
  assert.ok(missed.length >= 1, 'a scheduled backup failed while the store was down');
  for (const b of missed)
    assert.ok(
      result.events.some((e) => e.marker === 'backup-error' && e.message.includes(`#${b.seq}`)),
      `failed backup #${b.seq} on the timeline`,
    );
  // backupAge: the newest backup that finished before the disaster, from its start; older than `every`.
  const newest = l.backups.filter((b) => b.ok && b.endedAtMs <= disaster.injectedAtMs).at(-1)!;
  assert.ok(newest.startedAtMs < down.injectedAtMs, 'the newest usable backup is from before the outage');
  assert.equal(Math.round(l.backupAgeMs!), Math.round(disaster.injectedAtMs - newest.startedAtMs));
  assert.ok(l.backupAgeMs! > l.everyMs, `the missed backups show: ${l.backupAgeMs} ms > every ${l.everyMs} ms`);
  const age = result.objectives.find((o) => o.name === 'backupAgeMs')!;
  assert.equal(age.met, true);
  assert.equal(age.measured, Math.round(l.backupAgeMs! * 10) / 10);
  assert.ok(age.precisionMs !== undefined);
  const rt = result.objectives.find((o) => o.name === 'restoreTimeMs')!;
  assert.equal(rt.measured, Math.round(l.restores![0]!.restoreTimeMs! * 10) / 10);
  // The loss, read directly: the writes acknowledged after the newest backup started.
  const lost = writes.filter((w) => w.ok && !restored.has(w.id));
  assert.equal(result.measured!.lostWrites, lost.length);
  assert.ok(lost.length > 0);
  assert.ok(lost.every((w) => w.completeMs >= newest.startedAtMs));
});

keptDrill('drills/mariadb-restore-to-time.yaml', ({ result, writes, restored }) => {
  assert.equal(result.verdict, 'pass', result.reason ?? '');
  const r = backupLayer(result).restores![0]!;
  // 4.5 s asked: the replay stops at the start of that whole second of the wall clock.
  const asked = 4500;
  assert.ok(r.stopAtMs! <= asked && r.stopAtMs! > asked - 1000, `stopped at ${r.stopAtMs} ms, within the second before 4.5 s`);
  assert.equal(Math.round(result.clockOriginEpochMs + r.stopAtMs!) % 1000, 0, 'a whole second of the wall clock');
  const before = writes.filter((w) => w.ok && w.completeMs < r.stopAtMs!);
  assert.deepEqual(
    before.filter((w) => !restored.has(w.id)).map((w) => w.id),
    [],
    'every write acknowledged before the point is back',
  );
  // Sent after the point and acknowledged before the restore: neither in the backup restored nor replayed.
  const mistake = result.faults[0]!;
  const afterPoint = writes.filter((w) => w.ok && w.invokeMs >= r.stopAtMs! && w.completeMs < mistake.injectedAtMs);
  assert.ok(afterPoint.length > 0);
  assert.deepEqual(
    afterPoint.filter((w) => restored.has(w.id)).map((w) => w.id),
    [],
    'no write sent after the point is on the restored node',
  );
  const used = backupLayer(result).backups.find((b) => b.seq === r.backupSeq)!;
  assert.ok(used.endedAtMs <= r.stopAtMs!, 'the backup restored had finished before the point');
  const discarded = writes.filter((w) => w.ok && w.completeMs >= r.stopAtMs! && !restored.has(w.id)).length;
  assert.ok(discarded > 0);
  assert.equal(result.measured!.discardedWrites, discarded, 'discarded by the recovery point, counted apart');
  assert.equal(result.measured!.lostWrites, 0);
  assert.equal(r.checksum?.expectedRows, before.length);
  assert.equal(r.checksum.match, true, JSON.stringify(r.checksum));
});

// The same outage against the objective a team would declare without it (backupAge ≤ the backup
// interval): missed, FAIL, exit 1, with the measured age and its precision in the objectives.
describe('mariadb-backup-store-down against backupAge: 2s', () => {
  it('misses the objective: FAIL, exit 1', async () => {
    await requireEngine();
    const dir = await tempDir('bad-backups-objective');
    const file = path.join(dir, 'store-down-strict.yaml');
    const source = await readFile('drills/mariadb-backup-store-down.yaml', 'utf8');
    const strict = source.replace(/^ {2}backupAge: 8s.*$/m, '  backupAge: 2s');
    assert.notEqual(strict, source);
    await writeFile(file, strict);
    const run = await runDrillFile(file);
    assert.equal(run.code, 1, run.stderr.slice(-2000));
    assert.equal(run.result.verdict, 'fail');
    const age = run.result.objectives.find((o) => o.name === 'backupAgeMs')!;
    assert.equal(age.state, 'missed');
    assert.ok(age.measured! > 2000 && age.precisionMs !== undefined);
    assert.match(run.result.reason ?? '', /backupAgeMs: declared 2000, measured/);
    assert.equal(run.result.objectives.find((o) => o.name === 'restoreTimeMs')!.met, true);
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

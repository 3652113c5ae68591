import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessRestores, firstGoodWriteAfter, firstOldReadAfter } from '../../src/layers/backup/assess-restore.js';
import type { ReadRecord } from '../../src/load/read-load.js';
import { assessBackups } from '../../src/layers/backup/assess.js';
import { gtidBefore } from '../../src/layers/backup/restore-from-backup.js';
import type { ArchiveSample, BackupRecord, DisasterRestoreRecord } from '../../src/layers/result.js';
import type { WriteRecord } from '../../src/load/history.js';
import { recoveryPointSplit } from '../../src/measure/measure.js';

// The arithmetic of a disaster and its restore, with made-up records: the backup's and the archive's age
// at the disaster, the restore time to the first good write, the checks, and writes discarded by a
// recovery point. The real restore is tested in test/integration/restore.test.ts.

const ok = (seq: number, startedAtMs: number, endedAtMs: number): BackupRecord => ({ seq, node: 'db-1', startedAtMs, endedAtMs, ok: true, bytes: 100, file: `/b/${seq}` });
const sample = (atMs: number, lagBytes: number | null): ArchiveSample => ({
  atMs,
  node: 'db-1',
  file: 'mysql-bin.000001',
  primaryPos: 1000,
  archivedBytes: lagBytes === null ? null : 1000 - lagBytes,
  lagBytes,
  started: false,
});
/** Writes every 10 ms from 0 to 20 s, failing from 5 s to 9 s (the disaster and the restore). */
const history: WriteRecord[] = Array.from({ length: 2000 }, (_, i) => ({
  id: i,
  scheduledMs: i * 10,
  invokeMs: i * 10,
  completeMs: i * 10 + 3,
  outcome: i * 10 >= 5000 && i * 10 < 9000 ? 'fail' : 'ok',
}));
const restore = (over: Partial<DisasterRestoreRecord> = {}): DisasterRestoreRecord => ({
  startedAtMs: 6000,
  endedAtMs: 8500,
  node: 'db-3',
  backupSeq: 2,
  backupStartedAtMs: 3000,
  target: 'latest',
  stopGtid: null,
  backupGtid: '0-1-300',
  lastReplayedGtid: '0-1-500',
  replayedTransactions: 200,
  copiedBytes: 4096,
  phases: [
    { name: 'restore-provision', startedAtMs: 6000, endedAtMs: 7500, detail: '' },
    { name: 'restore-repoint', startedAtMs: 8400, endedAtMs: 8995, detail: '' },
  ],
  firstGoodWriteAtMs: null,
  restoreTimeMs: null,
  writes: null,
  ...over,
});

describe('restore assessment', () => {
  it('ages the newest backup and the archive at the disaster, and times the restore to the first good write', () => {
    const a = assessRestores({
      backups: [ok(1, 0, 200), ok(2, 3000, 3200), ok(3, 6000, 6200)],
      archive: { samples: [sample(3500, 0), sample(4600, 0), sample(4900, 120), sample(5600, null)] },
      restores: [restore()],
      history,
      presentIds: new Set([1, 2]),
      disasterAtMs: 5000,
      backupAgeMs: 500,
      restoreTimeMs: 2000,
    });
    assert.equal(a.backupAgeMs, 2000, 'backup #2 started 2 s before the disaster (#3 finished after it)');
    assert.equal(a.archiveAgeMs, 400, 'last caught up at 4.6 s');
    const r = a.restores[0]!;
    assert.equal(r.firstGoodWriteAtMs, 9003, 'the first ok write sent after the repoint ended');
    assert.equal(r.restoreTimeMs, 3003);
    assert.equal(r.writes, 2);
    const byName = Object.fromEntries(a.checks.map((c) => [c.name, c]));
    assert.equal(byName['backup age']!.ok, true, 'the archive (0.4 s) is within 0.5 s');
    assert.match(byName['backup age']!.detail, /120 bytes behind at its last sample/);
    assert.equal(byName['restore time']!.ok, false, '3 s is over 2 s');
    assert.match(a.rpoExplained!, /newest usable backup 2s old; binlog archive caught up 400ms before the disaster/);
  });

  it('without an archive the backup age is judged; a failed restore fails the restore time', () => {
    const a = assessRestores({
      backups: [ok(1, 0, 200), ok(2, 3000, 3200)],
      archive: null,
      restores: [restore({ error: 'boom' })],
      history,
      presentIds: null,
      disasterAtMs: 5000,
      backupAgeMs: 1500,
      restoreTimeMs: 60_000,
    });
    assert.equal(a.archiveAgeMs, null);
    assert.deepEqual(
      a.checks.map((c) => [c.name, c.ok]),
      [
        ['backup age', false],
        ['restore time', false],
      ],
    );
    assert.match(a.rpoExplained!, /no binlog archive/);
  });

  it('firstGoodWriteAfter ignores writes sent before the instant', () => {
    assert.equal(firstGoodWriteAfter(history, 8995), 9003);
    assert.equal(firstGoodWriteAfter(history, 30_000), null);
  });

  it('firstOldReadAfter: the first ok read after the instant that found a value acknowledged before the disaster', () => {
    const w = (id: number, completeMs: number, outcome: WriteRecord['outcome'] = 'ok'): WriteRecord => ({ id, scheduledMs: completeMs - 5, invokeMs: completeMs - 5, completeMs, outcome });
    const writes = [w(1, 100), w(2, 200), w(3, 250, 'unknown'), w(4, 900)];
    const r = (seq: number, invokeMs: number, completeMs: number, outcome: ReadRecord['outcome'], version: number | null): ReadRecord => ({
      seq,
      key: 0,
      scheduledMs: invokeMs,
      invokeMs,
      completeMs,
      outcome,
      version,
    });
    const reads = [
      r(1, 150, 152, 'ok', 1), // before the instant
      r(2, 600, 650, 'fail', null), // failed
      r(3, 610, 612, 'ok', null), // found nothing: proves nothing
      r(4, 620, 622, 'ok', 3), // a write never acknowledged
      r(5, 630, 700, 'ok', 2), // old data: answered last of the two
      r(6, 640, 645, 'ok', 1), // old data: the first answer
      r(7, 950, 951, 'ok', 4), // written after the disaster
    ];
    assert.equal(firstOldReadAfter(reads, writes, 500, 800), 645);
    assert.equal(firstOldReadAfter(reads.slice(0, 4), writes, 500, 800), null);
  });

  it('a backup the fault cut short is tolerated like one that found no primary', () => {
    const cut: BackupRecord = { seq: 3, node: 'db-1', startedAtMs: 4900, endedAtMs: 5100, ok: false, bytes: null, file: null, error: 'no connection' };
    const early: BackupRecord = { ...cut, seq: 2, startedAtMs: 3000, endedAtMs: 3100 };
    const base = {
      method: 'dump' as const,
      everyMs: 2000,
      keep: 3,
      rpoMs: undefined,
      containers: [],
      restore: null,
      restoredIds: null,
      history,
      disasterAtMs: 5000,
      disasterIs: 'the first fault' as const,
    };
    const good = assessBackups({ ...base, backups: [ok(1, 0, 100), cut, ok(4, 9000, 9100)] });
    assert.equal(good.checks.find((c) => c.name === 'backups succeeded')!.ok, true);
    const bad = assessBackups({ ...base, backups: [ok(1, 0, 100), early, ok(4, 9000, 9100)] });
    assert.equal(bad.checks.find((c) => c.name === 'backups succeeded')!.ok, false, 'a failure well before the fault is not excused');
  });
});

describe('point-in-time restore', () => {
  it('stops at the GTID before the mistake', () => {
    assert.equal(gtidBefore('0-1-715'), '0-1-714');
    assert.throws(() => gtidBefore('0-1-0'));
    assert.throws(() => gtidBefore('mysql-bin.000001:42'));
  });

  it('counts missing writes acknowledged from the recovery point on as discarded, not lost', () => {
    const present = new Set(history.filter((w) => w.completeMs < 5000).map((w) => w.id));
    present.delete(10); // acknowledged long before: lost
    const split = recoveryPointSplit(history, present, 5000);
    assert.equal(split.discarded, history.filter((w) => w.outcome === 'ok' && w.completeMs >= 5000).length);
    assert.ok(
      split.kept.some((w) => w.id === 10),
      'a write acknowledged before the recovery point stays to be counted lost',
    );
    assert.deepEqual(recoveryPointSplit(history, present, undefined), { kept: history, discarded: null });
  });
});

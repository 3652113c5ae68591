import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessBackups } from '../../src/layers/backup/assess.js';
import { assessRestores } from '../../src/layers/backup/assess-restore.js';
import { replayFiles } from '../../src/layers/backup/restore-from-backup.js';
import type { BackupRecord, DisasterRestoreRecord } from '../../src/layers/result.js';
import { evaluateRestoreObjectives } from '../../src/measure/restore-objectives.js';
import { disasterFaults } from '../../src/faults/backup-damage.js';

// The logic of the bad-backup slice with made-up records: which archived files a restore replays around
// a gap, backups missed while the store was down, a damaged backup not counted as usable, and the
// restoreTime/backupAge objectives. The real thing: test/integration/bad-backups.test.ts.

const file = (n: number, startSeq: number) => ({ file: `mysql-bin.${String(n).padStart(6, '0')}`, index: n, startSeq });
const ok = (seq: number, startedAtMs: number, endedAtMs: number): BackupRecord => ({ seq, node: 'db-1', startedAtMs, endedAtMs, ok: true, bytes: 100, file: `/b/${seq}`, sha256: 'x' });
const failed = (seq: number, startedAtMs: number, endedAtMs: number): BackupRecord => ({ seq, node: 'db-1', startedAtMs, endedAtMs, ok: false, bytes: null, file: null, error: 'no connection' });

describe('replayFiles: the archive chain', () => {
  it('replays every file of an unbroken chain from the one holding the backup', () => {
    assert.deepEqual(replayFiles([file(1, 0), file(2, 100), file(3, 200)], '0-1-150'), { files: ['mysql-bin.000001', 'mysql-bin.000002', 'mysql-bin.000003'], gap: null });
  });
  it('stops before a missing file and names it', () => {
    const r = replayFiles([file(1, 0), file(2, 100), file(4, 300), file(5, 400)], '0-1-50');
    assert.deepEqual(r.files, ['mysql-bin.000001', 'mysql-bin.000002']);
    assert.deepEqual(r.gap, { missing: ['mysql-bin.000003'], lastFile: 'mysql-bin.000002', nextFile: 'mysql-bin.000004' });
  });
  it('a backup taken after the gap replays from the run after it, with no gap', () => {
    assert.deepEqual(replayFiles([file(1, 0), file(3, 300), file(4, 400)], '0-1-350'), { files: ['mysql-bin.000003', 'mysql-bin.000004'], gap: null });
  });
});

describe('bad backups in the assessment', () => {
  const history = Array.from({ length: 1000 }, (_, i) => ({ id: i, scheduledMs: i * 10, invokeMs: i * 10, completeMs: i * 10 + 3, outcome: 'ok' as const }));
  it('backups that failed while the store was down are missed, not a failure of the scheme', () => {
    const backups = [ok(1, 0, 100), failed(2, 2000, 4000), ok(3, 8000, 8100)];
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
    const down = assessBackups({ ...base, backups, storeDown: [{ fromMs: 1000, toMs: 5000 }] });
    const check = down.checks.find((c) => c.name === 'backups succeeded')!;
    assert.equal(check.ok, true);
    assert.match(check.detail, /1 missed while the store was cut off \(#2: backup-store-down\)/);
    // The same failure with the store up is a failed backup.
    assert.equal(assessBackups({ ...base, backups }).checks.find((c) => c.name === 'backups succeeded')!.ok, false);
  });
  it('a backup the restore found damaged does not count as the newest usable one', () => {
    const restore = { skipped: [{ seq: 2, why: 'checksum mismatch' }], backupSeq: 1, phases: [] } as unknown as DisasterRestoreRecord;
    const r = assessRestores({
      backups: [ok(1, 0, 100), ok(2, 2000, 2100)],
      archive: null,
      restores: [restore],
      history,
      presentIds: null,
      disasterAtMs: 5000,
      backupAgeMs: undefined,
      restoreTimeMs: undefined,
    });
    assert.equal(r.backupAgeMs, 5000);
    assert.match(r.rpoExplained!, /backup #2 skipped \(checksum mismatch\), restored from #1/);
  });
  it('damage to the backups is not the disaster', () => {
    assert.deepEqual(
      disasterFaults([{ kind: 'corrupt-backup' }, { kind: 'backup-store-down' }, { kind: 'destroy' }, { kind: 'break-binlog-chain' }]).map((f) => f.kind),
      ['destroy'],
    );
  });
});

describe('restoreTime and backupAge objectives', () => {
  const figures = { restoreTimeMs: 4321.26, restorePrecisionMs: 11, backupAgeMs: 5149.3, backupAgePrecisionMs: 2.4, restoreWhy: 'no restore step ran', backupAgeWhy: 'none' };
  it('met and missed, with the precision', () => {
    const [rt, age] = evaluateRestoreObjectives({ restoreTimeMs: 30_000, backupAgeMs: 2000 }, figures);
    assert.deepEqual(rt, { name: 'restoreTimeMs', declared: 30_000, measured: 4321.3, met: true, unit: 'ms', state: 'met', precisionMs: 11 });
    assert.deepEqual(age, { name: 'backupAgeMs', declared: 2000, measured: 5149.3, met: false, unit: 'ms', state: 'missed', precisionMs: 2.4 });
  });
  it('not measured is not met, and says why', () => {
    const [rt] = evaluateRestoreObjectives({ restoreTimeMs: 30_000 }, { ...figures, restoreTimeMs: null });
    assert.equal(rt!.met, false);
    assert.equal(rt!.state, 'not-measured');
    assert.equal(rt!.why, 'no restore step ran');
    assert.deepEqual(evaluateRestoreObjectives({}, figures), []);
  });
});

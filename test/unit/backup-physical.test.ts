import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainOf, nextPhysical, parsePhysicalInfo, withBases } from '../../src/layers/backup/physical.js';
import type { BackupRecord, PhysicalBackupInfo } from '../../src/layers/result.js';

const info = (type: 'full' | 'incremental', baseSeq: number | null, fromLsn: number, toLsn: number): PhysicalBackupInfo => ({
  type,
  baseSeq,
  fromLsn,
  toLsn,
  lastLsn: toLsn + 10,
  binlogFile: 'mysql-bin.000001',
  binlogPos: 4,
  gtid: '0-1-1',
});
const rec = (seq: number, physical: PhysicalBackupInfo | undefined, over: Partial<BackupRecord> = {}): BackupRecord => ({
  seq,
  node: 'db-1',
  startedAtMs: seq * 1000,
  endedAtMs: seq * 1000 + 500,
  ok: true,
  bytes: 1,
  file: `/backups/backup-${seq}.mbstream`,
  sha256: 'x',
  ...(physical ? { physical } : {}),
  ...over,
});

describe('physical backup chains', () => {
  const chain = [rec(1, info('full', null, 0, 100)), rec(2, info('incremental', 1, 100, 200)), rec(3, info('incremental', 2, 200, 300))];

  it('takes a full backup first, then incrementals on the one before, then a full one again', () => {
    assert.deepEqual(nextPhysical([], 'db-1', 2), { type: 'full' });
    assert.equal(nextPhysical(chain.slice(0, 1), 'db-1', 2).type, 'incremental');
    const next = nextPhysical(chain.slice(0, 2), 'db-1', 2);
    assert.equal(next.type === 'incremental' && next.base.seq, 2);
    // 2 incrementals done: a full one again.
    assert.deepEqual(nextPhysical(chain, 'db-1', 2), { type: 'full' });
    // incrementals: 0: every backup is full.
    assert.deepEqual(nextPhysical(chain.slice(0, 1), 'db-1', 0), { type: 'full' });
  });

  it('starts a new chain on a new primary, after a failed backup, or when the last one was deleted', () => {
    assert.deepEqual(nextPhysical(chain.slice(0, 1), 'db-3', 3), { type: 'full' });
    assert.deepEqual(nextPhysical([...chain.slice(0, 1), rec(2, undefined, { ok: false, file: null })], 'db-1', 3), { type: 'full' });
    assert.deepEqual(nextPhysical([rec(1, info('full', null, 0, 100), { deletedAtMs: 5 })], 'db-1', 3), { type: 'full' });
  });

  it('finds an incremental chain back to its full one, and null when a link failed', () => {
    assert.deepEqual(
      chainOf(chain[2]!, chain)!.map((b) => b.seq),
      [1, 2, 3],
    );
    assert.equal(chainOf(chain[2]!, [chain[0]!, rec(2, info('incremental', 1, 100, 200), { ok: false }), chain[2]!]), null);
    // A dump is a chain of itself.
    assert.deepEqual(chainOf(rec(9, undefined), [])!.length, 1);
  });

  it('keeps what a kept incremental builds on, never a base alone', () => {
    const kept = withBases([chain[2]!], chain);
    assert.deepEqual([...kept].map((b) => b.seq).sort(), [1, 2, 3]);
  });

  it("reads mariadb-backup's xtrabackup_checkpoints and binlog position", () => {
    const text = [
      'backup_type = incremental',
      'from_lsn = 44404',
      'to_lsn = 45000',
      'last_lsn = 48730',
      'recover_binlog_info = 0',
      "binlog_pos = filename 'mysql-bin.000001', position '992', GTID of the last change '0-1-4'",
    ].join('\n');
    assert.deepEqual(parsePhysicalInfo(text, 'incremental', 7), {
      type: 'incremental',
      baseSeq: 7,
      fromLsn: 44404,
      toLsn: 45000,
      lastLsn: 48730,
      binlogFile: 'mysql-bin.000001',
      binlogPos: 992,
      gtid: '0-1-4',
    });
    assert.throws(() => parsePhysicalInfo('backup_type = full', 'full', null), /from_lsn/);
  });
});

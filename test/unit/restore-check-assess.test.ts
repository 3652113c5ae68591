import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessRestoreChecks } from '../../src/layers/backup/restore-check.js';
import type { RestoreCheckRecord } from '../../src/layers/result.js';
import type { WriteRecord } from '../../src/load/history.js';

const record = (over: Partial<RestoreCheckRecord> = {}): RestoreCheckRecord => ({
  startedAtMs: 4000,
  endedAtMs: 9000,
  node: 'drill-x-restore-check-1',
  backupSeq: 2,
  backupStartedAtMs: 3000,
  backupBytes: 7000,
  copiedBytes: 9216,
  restoreMs: 4800,
  rows: 3,
  checksum: '123',
  skipped: [],
  removed: true,
  ...over,
});
const write = (id: number, completeMs: number, outcome: WriteRecord['outcome'] = 'ok') => ({ id, invokeMs: completeMs - 5, completeMs, outcome }) as WriteRecord;
const history = [write(1, 1000), write(2, 2000), write(3, 2900, 'fail'), write(4, 3500)];

describe('assessRestoreChecks', () => {
  it('passes when every write acknowledged before the backup started was restored and the node is gone', () => {
    const { restoreChecks, checks } = assessRestoreChecks([{ record: record(), ids: new Set([1, 2, 4]) }], history);
    assert.equal(restoreChecks[0]!.missing, 0);
    assert.equal(checks[0]!.ok, true);
    assert.match(checks[0]!.detail, /backup #2 \(7000 bytes in the store, 9216 copied\).*CHECKSUM TABLE 123; the scratch node removed/);
  });
  it('fails on a missing write, a node left behind, or an error', () => {
    assert.equal(assessRestoreChecks([{ record: record(), ids: new Set([2]) }], history).restoreChecks[0]!.missing, 1);
    assert.equal(assessRestoreChecks([{ record: record(), ids: new Set([2]) }], history).checks[0]!.ok, false);
    assert.equal(assessRestoreChecks([{ record: record({ removed: false }), ids: new Set([1, 2]) }], history).checks[0]!.ok, false);
    const failed = assessRestoreChecks([{ record: record({ error: 'the store holds no backup yet', backupSeq: null }), ids: null }], history);
    assert.equal(failed.checks[0]!.ok, false);
    assert.equal(failed.restoreChecks[0]!.missing, null);
    assert.match(failed.checks[0]!.detail, /backup #\?: the store holds no backup yet/);
  });
});

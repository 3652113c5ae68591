import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessBackups, backupToRestore, retainedBackups, type BackupAssessInput } from '../../src/layers/backup/assess.js';
import type { BackupRecord } from '../../src/layers/result.js';
import type { WriteRecord } from '../../src/load/history.js';
import { DrillFileError, parseDrillText } from '../../src/spec/load-drill.js';

// The backup layer's arithmetic with made-up records: which backup is restored, what retention keeps,
// what a restore as of the fault loses, and when a check fails.

const ok = (seq: number, startedAtMs: number, endedAtMs: number, node = 'redis-1'): BackupRecord => ({ seq, node, startedAtMs, endedAtMs, ok: true, bytes: 100, file: `/b/${seq}` });
const failed = (seq: number, startedAtMs: number): BackupRecord => ({ seq, node: 'redis-1', startedAtMs, endedAtMs: startedAtMs + 2000, ok: false, bytes: null, file: null, error: 'no connection' });
/** One acknowledged write every 10 ms from 0 to 10 s, id = ms / 10. */
const history: WriteRecord[] = Array.from({ length: 1000 }, (_, i) => ({ id: i, scheduledMs: i * 10, invokeMs: i * 10, completeMs: i * 10 + 2, outcome: 'ok' }));
const idsUpTo = (ms: number) => new Set(history.filter((w) => w.invokeMs <= ms).map((w) => w.id));

function input(over: Partial<BackupAssessInput>): BackupAssessInput {
  return {
    method: 'rdb',
    everyMs: 2000,
    keep: 3,
    rpoMs: undefined,
    containers: [],
    backups: [ok(1, 0, 100), ok(2, 2000, 2100), ok(3, 4000, 4100), failed(4, 6000), ok(5, 8000, 8100, 'redis-2')],
    restore: { seq: 3, file: '/b/3', restoreMs: 120, writes: 401 },
    restoredIds: idsUpTo(4050),
    history,
    disasterAtMs: 5000,
    disasterIs: 'the first fault',
    ...over,
  };
}

describe('backup layer: retention and the backup restored', () => {
  it('keeps the newest `keep` and the newest one finished before the fault', () => {
    const backups = [ok(1, 0, 100), ok(2, 2000, 2100), ok(3, 4000, 4100), ok(4, 6000, 6100), ok(5, 8000, 8100)];
    assert.deepEqual(
      retainedBackups(backups, 2, 5000).map((b) => b.seq),
      [3, 4, 5],
    );
    assert.deepEqual(
      retainedBackups(backups, 2, null).map((b) => b.seq),
      [4, 5],
    );
    assert.equal(backupToRestore(backups, 2, 5000, 5000)?.seq, 3);
    assert.equal(backupToRestore(backups, 2, 50, 50), null, 'nothing finished before');
  });
});

describe('backup layer: checks', () => {
  it('passes a consistent backup, tolerates a failure during the failover, measures the restore window', () => {
    const r = assessBackups(input({ rpoMs: 1500 }));
    assert.deepEqual(
      r.checks.map((c) => [c.name, c.ok]),
      [
        ['backups succeeded', true],
        ['restore', true],
        ['backup holds every write acknowledged before it started', true],
        ['restore RPO', true],
      ],
    );
    // Writes 406…499 were acknowledged after the snapshot (ids ≤ 405 are in it) and before the fault at 5000.
    assert.equal(r.lostIfRestored, 94);
    assert.equal(r.restoreRpoMs, 5000 - 4052);
  });

  it('fails the declared RPO when the window is wider', () => {
    const r = assessBackups(input({ rpoMs: 500 }));
    assert.equal(r.checks.find((c) => c.name === 'restore RPO')?.ok, false);
  });

  it('fails a backup that misses a write acknowledged before it started (not a consistent snapshot)', () => {
    const ids = idsUpTo(4050);
    ids.delete(100);
    const r = assessBackups(input({ restoredIds: ids }));
    const c = r.checks.find((x) => x.name === 'backup holds every write acknowledged before it started')!;
    assert.equal(c.ok, false);
    assert.match(c.detail, /first id 100/);
  });

  it('fails a backup failure outside the failover, and backups that never resume after the fault', () => {
    const before = assessBackups(input({ backups: [ok(1, 0, 100), failed(2, 2000), ok(3, 4000, 4100), ok(4, 8000, 8100)] }));
    assert.equal(before.checks[0]!.ok, false);
    const never = assessBackups(input({ backups: [ok(1, 0, 100), ok(2, 2000, 2100), ok(3, 4000, 4100), failed(4, 6000), failed(5, 8000)] }));
    assert.equal(never.checks[0]!.ok, false);
    assert.match(never.checks[0]!.detail, /did not resume/);
  });

  it('fails when there is nothing to restore, or the restore failed', () => {
    assert.equal(assessBackups(input({ restore: null, restoredIds: null })).checks.find((c) => c.name === 'restore')?.ok, false);
    const broken = assessBackups(input({ restore: { seq: 3, file: '/b/3', restoreMs: 50, writes: null, error: 'bad RDB' }, restoredIds: null }));
    assert.equal(broken.checks.find((c) => c.name === 'restore')?.ok, false);
    assert.equal(broken.lostIfRestored, null);
  });

  it('a write in flight at the fault counts as unknown, never as lost', () => {
    const inFlight: WriteRecord[] = [...history.slice(0, 499), { id: 499, scheduledMs: 4990, invokeMs: 4990, completeMs: 5200, outcome: 'ok' }];
    const r = assessBackups(input({ history: inFlight }));
    assert.equal(r.lostIfRestored, 93);
  });
});

describe('backup layer: validation against the stack', () => {
  const drill = (stack: string, layer: string) => `name: b\nstack: ${stack}\nlayers:\n  - ${layer}\nload: { rate: 10, duration: 10s }\nsteps:\n  - { at: 2s, fault: kill, target: primary }\n`;
  it('accepts the default method for each stack', () => {
    assert.equal(parseDrillText(drill('{ kind: redis-sentinel }', '{ kind: backup, every: 2s }'), 'x.yaml').layers[0]?.kind, 'backup');
    assert.equal(parseDrillText(drill('{ kind: mysql-replication }', '{ kind: backup, every: 2s }'), 'x.yaml').layers[0]?.kind, 'backup');
  });
  it('rejects a method the stack has no tool for, pointing at the key', () => {
    assert.throws(
      () => parseDrillText(drill('{ kind: redis-sentinel }', '{ kind: backup, every: 2s, method: dump }'), 'x.yaml'),
      (error: unknown) => error instanceof DrillFileError && /layers\[0\]\.method/.test(error.message) && /backup method of redis data \(rdb, aof\), got "dump"/.test(error.message),
    );
  });
  it('accepts aof only where Redis writes an AOF, and a Redis restore only from aof', () => {
    assert.throws(
      () => parseDrillText(drill('{ kind: redis-sentinel }', '{ kind: backup, every: 2s, method: aof }'), 'x.yaml'),
      (error: unknown) => error instanceof DrillFileError && /layers\[0\]\.method/.test(error.message) && /appendonly: "yes"/.test(error.message),
    );
    const aofStack = '{ kind: redis-sentinel, redisConfig: { appendonly: "yes" } }';
    assert.equal(parseDrillText(drill(aofStack, '{ kind: backup, every: 2s, method: aof }'), 'x.yaml').layers[0]?.kind, 'backup');
    const flush = (layer: string) =>
      `name: b\nstack: ${aofStack}\nlayers:\n  - ${layer}\nload: { rate: 10, duration: 10s }\nsteps:\n  - { at: 2s, fault: operator-mistake, name: oops, statement: FLUSHALL }\n  - { action: restore, before: oops }\n`;
    assert.equal(parseDrillText(flush('{ kind: backup, every: 2s, method: aof }'), 'x.yaml').steps.length, 2);
    assert.throws(
      () => parseDrillText(flush('{ kind: backup, every: 2s }'), 'x.yaml'),
      (error: unknown) => error instanceof DrillFileError && /expected method: aof on the backup layer for a Redis restore/.test(error.message),
    );
  });
});

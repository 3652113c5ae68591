import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { leftovers, removeKeptRun, requireEngine, runDrillFile } from './helpers.js';
import { directIds, writesOf, type Write } from './restore-helpers.js';

// Power loss of the whole MariaDB site on drill's lazy disk (docs/power-loss.md), full durability
// against the common relaxed settings. The loss is judged by the primary's own table after the power
// came back, read with `docker exec` inside its container (the stack is kept for it), and by writes.csv
// (every write drill sent and whether its client heard "ok"), not by drill's read-back.

type Run = Awaited<ReturnType<typeof runDrillFile>>;

/** The ids in the primary's table, asked of mariadbd inside its container (root over its socket). */
function idsOnPrimary(run: Run): Set<number> {
  const ids = directIds(run.result.stack.containers.find((c) => c.name.endsWith('-db-1'))!.name);
  assert.ok(ids, 'the primary has no drill.writes table');
  return ids;
}

/** Acknowledged writes the primary no longer has. */
const lostOf = (rows: Write[], kept: Set<number>): Write[] => rows.filter((r) => r.ok && !kept.has(r.id));

async function assertRealPowerLoss(run: Run): Promise<void> {
  const fault = run.result.faults[0]!;
  assert.equal(fault.kind, 'power-loss');
  assert.match(fault.container, /db-1, .*db-2/);
  assert.ok(fault.healedAtMs !== undefined, 'the power never came back');
  for (const node of ['db-1', 'db-2']) {
    const log = await readFile(path.join(path.dirname(run.resultPath), 'logs', `${node}.log`), 'utf8');
    const mounts = log.split('\n').filter((l) => l.includes('lazy-disk: /var/lib/drill-lazy over /var/lib/mysql')).length;
    assert.equal(mounts, 2, `${node}: the lazy disk was mounted ${mounts} times, expected at the start and after the power came back`);
  }
  // InnoDB itself says it found a crashed datadir: the server restarted from what its disk kept.
  assert.ok(
    run.result.events.some((e) => e.marker === 'crash-recovery' && e.log?.node === 'db-1' && e.atMs > fault.healedAtMs!),
    'the primary did not log crash recovery after the power came back',
  );
}

describe('MariaDB power loss on the lazy disk', () => {
  let durable: Run;
  let relaxed: Run;
  let durableIds: Set<number>;
  let relaxedIds: Set<number>;
  /** Run a drill with its stack kept, read the primary's table, then remove the stack (a later run's preflight would). */
  async function runAndRead(file: string): Promise<[Run, Set<number>]> {
    const run = await runDrillFile(file, ['--keep-stack']);
    try {
      return [run, idsOnPrimary(run)];
    } finally {
      await removeKeptRun(run.result.runId);
    }
  }
  before(async () => {
    await requireEngine();
    [durable, durableIds] = await runAndRead('drills/mariadb-durable-power-loss.yaml');
    [relaxed, relaxedIds] = await runAndRead('drills/mariadb-relaxed-durability-power-loss.yaml');
  });

  it('flush_log_at_trx_commit=1, sync_binlog=1: no acknowledged write is lost', async () => {
    assert.equal(durable.result.verdict, 'pass', `${durable.result.reason} | ${durable.result.measured?.notes.join(' | ')}`);
    await assertRealPowerLoss(durable);
    const rows = await writesOf(durable.resultPath);
    assert.ok(rows.filter((r) => r.ok).length > 1000, 'too few acknowledged writes to judge');
    assert.deepEqual(
      lostOf(rows, durableIds).map((r) => r.id),
      [],
    );
    assert.equal(durable.result.measured!.lostWrites, 0);
  });

  it('flush_log_at_trx_commit=2, sync_binlog=0: loses the writes since InnoDB last fsynced, never older ones', async () => {
    assert.equal(relaxed.result.verdict, 'pass', `${relaxed.result.reason} | ${relaxed.result.measured?.notes.join(' | ')}`);
    await assertRealPowerLoss(relaxed);
    const fault = relaxed.result.faults[0]!;
    const rows = await writesOf(relaxed.resultPath);
    const lost = lostOf(rows, relaxedIds);
    // The same layer and fault as the durable drill lose writes here: the power loss is real. None only
    // if the power went within a write's gap (5 ms) of InnoDB's once-a-second fsync.
    assert.ok(lost.length > 0, 'no acknowledged write lost: the redo log is fsynced only once a second');
    assert.equal(relaxed.result.measured!.lostWrites, lost.length, 'drill counts the loss the primary shows');
    const oldestLostMs = Math.min(...lost.map((r) => r.completeMs));
    assert.ok(oldestLostMs >= fault.injectedAtMs - 2000, `a write acknowledged at ${oldestLostMs} ms was lost, more than 2 s before the power loss at ${fault.injectedAtMs} ms`);
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(durable.result.runId), []);
    assert.deepEqual(await leftovers(relaxed.result.runId), []);
  });
});

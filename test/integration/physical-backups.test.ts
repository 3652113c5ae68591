import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { leftovers, removeKeptRun, requireEngine, runDrillFile } from './helpers.js';
import { assertArchiveLoss, backupLayer, directIds, writesOf } from './restore-helpers.js';

// A damaged full physical backup on the real engine (issue 13): the run is kept so the test reads the
// backup store and the restored node itself; lost writes are recomputed from writes.csv.

const storeSha = (store: string, file: string) => execFileSync('docker', ['exec', store, 'sha256sum', file], { encoding: 'utf8' }).split(' ')[0];

describe('mariadb-corrupt-full-backup', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>> | undefined;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/mariadb-corrupt-full-backup.yaml', ['--keep-stack']);
  });
  after(async () => {
    if (run) await removeKeptRun(run.result.runId);
  });

  it('skips the damaged full backup and the incremental on it, restores the chain before, loses nothing', async () => {
    const { result } = run!;
    assert.equal(result.verdict, 'pass', result.reason ?? run!.stderr.slice(-3000));
    const l = backupLayer(result);
    const store = l.containers.find((c) => c.role === 'backup-store')!.name;
    const corrupt = result.faults.find((f) => f.kind === 'corrupt-backup')!;
    const damaged = l.backups.find((b) => b.seq === corrupt.backupSeq)!;
    assert.equal(damaged.physical?.type, 'full', 'the fault damaged a full backup');
    // The damage is real: the file in the store no longer hashes as it did when taken.
    assert.notEqual(storeSha(store, damaged.file!), damaged.sha256);
    const onIt = l.backups.filter((b) => b.ok && b.physical?.baseSeq === damaged.seq);
    assert.ok(onIt.length >= 1, 'an incremental was taken on the damaged full backup');
    const r = l.restores![0]!;
    assert.ok(!r.error, r.error);
    // Both passed over, the incremental because of its base, newest first.
    assert.deepEqual(
      r.skipped!.map((k) => k.seq),
      [...onIt.map((b) => b.seq).reverse(), damaged.seq],
    );
    for (const k of r.skipped!.slice(0, -1)) assert.match(k.why, new RegExp(`its base #${damaged.seq} is unusable`));
    assert.match(r.skipped!.at(-1)!.why, /checksum mismatch/);
    // The chain restored is older, whole, intact in the store, and chained by LSN.
    const chain = r.chain!;
    assert.equal(chain[0]!.type, 'full');
    assert.ok(chain.length >= 2 && chain.every((c) => c.seq < damaged.seq), JSON.stringify(chain));
    for (const [i, c] of chain.entries()) {
      const b = l.backups.find((x) => x.seq === c.seq)!;
      assert.equal(storeSha(store, b.file!), b.sha256, `backup #${b.seq} is intact in the store`);
      if (i > 0) assert.equal(c.fromLsn, chain[i - 1]!.toLsn);
    }
    // Every acknowledged write is on the restored node, read directly.
    const restoredName = result.stack.primaryAfter!;
    assert.ok(restoredName.endsWith(`-${r.node}`));
    const restored = directIds(restoredName);
    assert.ok(restored);
    assertArchiveLoss(result, await writesOf(run!.resultPath), restored);
    assert.ok(r.replayedTransactions > 0, 'the archive was replayed from the older chain');
  });

  it('leaves nothing behind once removed', async () => {
    await removeKeptRun(run!.result.runId);
    assert.deepEqual(await leftovers(run!.result.runId), []);
  });
});

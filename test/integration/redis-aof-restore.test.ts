import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { leftovers, removeKeptRun, requireEngine, runDrillFile } from './helpers.js';
import { backupLayer, writesOf } from './restore-helpers.js';

// redis-flushall-aof-restore on the real engine, kept running so the test reads for itself: the restored
// node's set and AOF (redis-cli and the files inside its container), the old master and replica (the
// FLUSHALL reached both), and the AOF copy in the store, parsed here with a regex independent of drill's
// scanner. Lost and discarded writes are recomputed from writes.csv.

const KEY = 'drill:writes';

function members(container: string): Set<number> {
  const out = execFileSync('docker', ['exec', container, 'redis-cli', '--raw', 'smembers', KEY], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return new Set(
    out
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number),
  );
}

function bytesOf(container: string, script: string): Buffer {
  return execFileSync('docker', ['exec', container, 'sh', '-c', script], { maxBuffer: 64 << 20 });
}

describe('redis-flushall-aof-restore', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>> | undefined;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/redis-flushall-aof-restore.yaml', ['--keep-stack']);
  });
  after(async () => {
    if (run) await removeKeptRun(run.result.runId);
  });

  it('restores every write acknowledged before the FLUSHALL onto a fresh node, cut where the AOF copy in the store says', async () => {
    const { result } = run!;
    assert.equal(result.verdict, 'pass', result.reason ?? run!.stderr.slice(-3000));
    const mistake = result.faults[0]!;
    assert.equal(mistake.kind, 'operator-mistake');
    assert.ok(mistake.replOffsetAfter! > mistake.replOffsetBefore!, 'the FLUSHALL moved the replication offset (it was replicated)');
    const l = backupLayer(result);
    assert.equal(l.method, 'aof');
    const r = l.restores?.[0];
    assert.ok(r && !r.error, `a restore ran: ${r?.error ?? 'none'}`);
    assert.deepEqual(
      r.phases.map((p) => p.name),
      ['restore-provision', 'restore-copy', 'restore-load', 'restore-repoint'],
    );
    assert.ok(r.restoreTimeMs !== null && r.firstGoodWriteAtMs! > r.phases.at(-1)!.endedAtMs, 'a first good write after the repoint');
    const restoredName = result.stack.primaryAfter!;
    assert.ok(restoredName.endsWith(`-${r.node}`), `${restoredName} is the restored ${r.node}`);
    assert.notEqual(restoredName, result.stack.primaryBefore);

    // The mistake was real and replicated: neither the old master nor its replica holds a write acknowledged before it.
    const writes = await writesOf(run!.resultPath);
    const ackedBefore = writes.filter((w) => w.ok && w.completeMs < mistake.injectedAtMs);
    assert.ok(ackedBefore.length > 100, `writes were acknowledged before the mistake (${ackedBefore.length})`);
    const oldMaster = result.stack.primaryBefore!;
    const replica = oldMaster.replace(/-redis-1$/, '-redis-2');
    for (const node of [oldMaster, replica]) {
      const ids = members(node);
      assert.equal(ackedBefore.filter((w) => ids.has(w.id)).length, 0, `${node} lost everything before the FLUSHALL`);
    }

    // The restored node holds them all; what is missing was acknowledged after the mistake: discarded, not lost.
    const restored = members(restoredName);
    const missingBefore = ackedBefore.filter((w) => !restored.has(w.id));
    assert.equal(missingBefore.length, 0, `every write acknowledged before the FLUSHALL is back (first missing: ${missingBefore[0]?.id})`);
    const discarded = writes.filter((w) => w.ok && w.completeMs >= mistake.injectedAtMs && !restored.has(w.id)).length;
    assert.ok(discarded > 0, 'writes acknowledged on the old master after the FLUSHALL were discarded');
    assert.equal(result.measured!.discardedWrites, discarded, 'discarded by the recovery point, as drill counts them');
    assert.equal(result.measured!.lostWrites, 0);

    // The AOF copy in the store that the restore used: its FLUSHALL where drill cut, and the ids before it are the restored ones.
    const backup = l.backups.find((b) => b.seq === r.backupSeq)!;
    const store = `${result.stack.primaryBefore!.replace(/-redis-1$/, '')}-backup-store`;
    const incr = bytesOf(store, `tar -xOf '${backup.file!}' appendonlydir/appendonly.aof.1.incr.aof`);
    const text = incr.toString('latin1');
    const flush = /\*1\r\n\$8\r\nflushall\r\n/i.exec(text);
    assert.ok(flush, 'the store copy holds the FLUSHALL');
    assert.equal(r.aofCut?.offset, flush.index, 'drill cut where the FLUSHALL begins');
    const sadd = /\*3\r\n\$4\r\nsadd\r\n\$12\r\ndrill:writes\r\n\$\d+\r\n(\d+)\r\n/gi;
    const inAof = new Set([...text.slice(0, flush.index).matchAll(sadd)].map((m) => Number(m[1])));
    // Before the repoint began the app could not reach the restored node: what it held then came from the AOF
    // (the probe stream's writes too: it ran from just before the FLUSHALL).
    const probes = result.files?.probeWrites ? await writesOf(run!.resultPath, result.files.probeWrites.file) : [];
    const invoked = new Map([...writes, ...probes].map((w) => [w.id, w.invokeMs]));
    const restoredBefore = [...restored].filter((id) => invoked.get(id)! < r.phases.at(-1)!.startedAtMs);
    assert.deepEqual(new Set(restoredBefore), inAof, 'the restored node loaded exactly the writes before the FLUSHALL in the copy');
    // The restored node's own AOF begins with those bytes (it appended the app's new writes after them).
    const head = bytesOf(restoredName, `head -c ${flush.index} /data/appendonlydir/appendonly.aof.1.incr.aof`);
    assert.ok(head.equals(incr.subarray(0, flush.index)), "the restored node's AOF is the copy up to the cut");
  });

  it('leaves nothing behind once removed', async () => {
    await removeKeptRun(run!.result.runId);
    assert.deepEqual(await leftovers(run!.result.runId), []);
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { leftovers, removeKeptRun, requireEngine, runDrillFile } from './helpers.js';
import { backupLayer, exists, writesOf } from './restore-helpers.js';

// mariadb-restore-check on the real engine, kept running: the scratch node must already be gone (the check
// removes it itself), so the test restores the same dump from the kept store on its own, with its own
// commands, and compares the row count and CHECKSUM TABLE with what drill reported; the load's writes
// (writes.csv) show the primary kept serving while the check ran.

/** Load `file` into a server of the test's own inside the store container; its row count and CHECKSUM TABLE. */
function restoreOurselves(store: string, file: string): { rows: number; checksum: string } {
  const script = [
    'set -e; d=/tmp/test-restore; s=/tmp/test-restore.sock',
    'rm -rf $d && mkdir -p $d && chown mysql:mysql $d',
    'mariadb-install-db --no-defaults --user=mysql --datadir=$d --skip-test-db > /dev/null 2>&1',
    'mariadbd --no-defaults --user=mysql --datadir=$d --socket=$s --pid-file=$d.pid --skip-networking --skip-log-bin > /tmp/test-restore.log 2>&1 &',
    'i=0; until mariadb --no-defaults -S $s -e "SELECT 1" > /dev/null 2>&1; do i=$((i+1)); [ $i -gt 600 ] && exit 1; sleep 0.1; done',
    'mariadb --no-defaults -S $s < "$1"',
    'mariadb --no-defaults -S $s -N -B -e "SELECT COUNT(*) FROM drill.writes; CHECKSUM TABLE drill.writes" | cut -f1,2',
    'mariadb-admin --no-defaults -S $s shutdown',
  ].join('\n');
  let text: string;
  try {
    text = execFileSync('docker', ['exec', store, 'sh', '-c', script, 'sh', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new Error(`restoring ${file} in ${store}: ${String((error as { stderr?: string }).stderr ?? error)}`);
  }
  const out = text.trim().split('\n');
  return { rows: Number(out[0]), checksum: out[1]!.split('\t')[1]! };
}

describe('mariadb-restore-check', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>> | undefined;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/mariadb-restore-check.yaml', ['--keep-stack']);
  });
  after(async () => {
    if (run) await removeKeptRun(run.result.runId);
  });

  it('restores the newest dump into a scratch node while the primary serves, reports time and size, and removes the node', async () => {
    const { result } = run!;
    assert.equal(result.verdict, 'pass', result.reason ?? run!.stderr.slice(-3000));
    const l = backupLayer(result);
    const c = l.restoreChecks?.[0];
    assert.ok(c && !c.error, `a restore check ran: ${c?.error ?? 'none'}`);
    assert.ok(c.restoreMs! > 0 && c.backupBytes! > 0 && c.copiedBytes >= c.backupBytes!, 'time and size reported');
    assert.equal(c.missing, 0, 'every write acknowledged before the backup started was in the scratch node');
    assert.ok(c.removed, 'drill says it removed the scratch node');
    assert.equal(await exists(c.node), false, `${c.node} is gone although the stack is kept`);

    // The scratch node held what this dump holds: the test loads the same file itself.
    const backup = l.backups.find((b) => b.seq === c.backupSeq)!;
    const store = l.containers.find((x) => x.role === 'backup-store')!.name;
    const ours = restoreOurselves(store, backup.file!);
    assert.equal(c.rows, ours.rows, 'row count as the test reads it');
    assert.equal(c.checksum, ours.checksum, 'CHECKSUM TABLE as the test reads it');
    const writes = await writesOf(run!.resultPath);
    const ackedBeforeBackup = writes.filter((w) => w.ok && w.completeMs < backup.startedAtMs).length;
    assert.ok(ours.rows >= ackedBeforeBackup && ackedBeforeBackup > 50, `the dump holds the ${ackedBeforeBackup} writes acknowledged before it started`);

    // The primary kept serving: writes went on during the check, and none failed at all.
    const during = writes.filter((w) => w.invokeMs >= c.startedAtMs && w.completeMs <= c.endedAtMs);
    assert.ok(during.length > 100, `writes sent during the check (${during.length})`);
    assert.equal(writes.filter((w) => !w.ok).length, 0, 'no write failed');

    // In the report too.
    const html = await readFile(path.join(path.dirname(run!.resultPath), 'report.html'), 'utf8');
    assert.match(html, /restore check 1/);
    assert.ok(html.includes(`${c.rows} writes in ${Math.round(c.restoreMs!)} ms`), 'the time in the report');
  });

  it('leaves nothing behind once removed', async () => {
    await removeKeptRun(run!.result.runId);
    assert.deepEqual(await leftovers(run!.result.runId), []);
  });
});

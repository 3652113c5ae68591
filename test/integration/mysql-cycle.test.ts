import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { leftovers, removeKeptRun, repoRoot, requireEngine, runDrillFile, tempDir } from './helpers.js';

// The DR cycle of kind mysql-replication on the real engine (offline MariaDB image): a planned switchover,
// failover → rejoin → failback, and a former primary with errant transactions (refused, then re-cloned).
// Every figure drill reports is checked against the databases themselves, read with `docker exec`
// (root over the container's socket), never through drill.

type Run = Awaited<ReturnType<typeof runDrillFile>>;

function sql(container: string, query: string): string {
  return execFileSync('docker', ['exec', container, 'mariadb', '-N', '-B', '-e', query], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
}

function ids(container: string): Set<number> {
  return new Set(sql(container, 'SELECT id FROM drill.writes').split('\n').filter(Boolean).map(Number));
}

/** SHOW SLAVE STATUS as a map (\G), or null when the node has no replication configured. */
function slaveStatus(container: string): Map<string, string> | null {
  const out = execFileSync('docker', ['exec', container, 'mariadb', '-e', 'SHOW SLAVE STATUS\\G'], { encoding: 'utf8' });
  if (!out.trim()) return null;
  return new Map(
    out
      .split('\n')
      .map((l) => /^\s*(\w+):\s?(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
}

/** Every GTID in a node's binlogs, listed by mariadb-binlog inside its container: an account independent of the server's GTID variables. */
function binlogGtids(container: string): Set<string> {
  const out = execFileSync('docker', ['exec', container, 'sh', '-c', 'mariadb-binlog /var/lib/mysql/mysql-bin.[0-9]* | grep -o "GTID [0-9]*-[0-9]*-[0-9]*"'], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  return new Set(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(5)),
  );
}

/** Until `replica` has applied the primary's binlog position (MASTER_GTID_WAIT inside the replica). */
function waitCaughtUp(primary: string, replica: string): void {
  const pos = sql(primary, 'SELECT @@GLOBAL.gtid_binlog_pos');
  assert.equal(sql(replica, `SELECT MASTER_GTID_WAIT('${pos}', 20)`), '0', `${replica} did not reach ${primary}'s ${pos}`);
}

/** Every write drill sent (declared load and probe stream) by id, with its outcome (ok, fail, unknown). */
async function outcomes(run: Run): Promise<Map<number, string>> {
  const files = ['writes.csv', run.result.files?.probeWrites?.file].filter((f): f is string => f !== undefined);
  const map = new Map<number, string>();
  for (const file of files) {
    const lines = (await readFile(path.join(path.dirname(run.resultPath), file), 'utf8')).trim().split('\n').slice(1);
    for (const line of lines) {
      const [id, , , outcome] = line.split(',');
      map.set(Number(id), outcome!);
    }
  }
  return map;
}

const difference = <T>(a: Set<T>, b: Set<T>) => [...a].filter((x) => !b.has(x));
const container = (run: Run, node: string) => run.result.stack.containers.find((c) => c.name.endsWith(`-${node}`))!.name;

function explain(result: ResultJson): string {
  return `${result.reason} | ${result.measured?.notes.join(' | ')} | ${result.events
    .filter((e) => e.source === 'runbook')
    .map((e) => e.message)
    .join(' | ')}`;
}

/** The measured figures of each event and the runbook's own account, for the test log. */
function figures(result: ResultJson): string {
  const rows = (result.perEvent ?? []).map(
    (e) =>
      `${e.label}: downtime ${e.downtimeMs} ms, RTO ${e.rtoMs} ms, within ${e.withinMs} ms, lost ${e.lostWrites}, failed ${e.failedWrites}${e.errant ? `, errant ${e.errant.count} (${e.errant.resolution})` : ''}`,
  );
  const steps = result.events.filter((e) => e.source === 'runbook' && /^(switchover|failback|rejoin)/.test(e.message)).map((e) => e.message);
  return [...rows, ...steps].join('\n');
}

describe('mysql-planned-switchover: semi-sync, under load', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/mysql-planned-switchover.yaml');
  });

  it('passes: nothing lost, writes paused for less than a second, another node is primary', (t) => {
    const { result } = run;
    t.diagnostic(figures(result));
    assert.equal(result.verdict, 'pass', explain(result));
    assert.equal(run.code, 0);
    assert.equal(result.measured!.lostWrites, 0);
    assert.equal(result.perEvent!.length, 1);
    const sw = result.perEvent![0]!;
    assert.equal(sw.kind, 'switchover');
    assert.match(sw.label, /^switchover db-1 → db-[23]$/);
    assert.equal(sw.lostWrites, 0);
    // Writes must have paused (read-only primary: the app's writes fail), briefly.
    assert.ok(sw.failedWrites > 0, 'no write failed during the switchover: was the old primary really fenced?');
    assert.ok(sw.downtimeMs !== null && sw.downtimeMs > 0 && sw.downtimeMs < 1000, `downtime ${sw.downtimeMs}`);
    assert.notEqual(result.stack.primaryAfter, result.stack.primaryBefore);
    const step = result.events.find((e) => e.marker === 'runbook-switchover')!;
    for (const part of ['read-only at GTID', 'caught up', 'promoted', 'db-1 → db-', 'semi-sync:', 'app → ']) assert.ok(step.message.includes(part), `${part}: ${step.message}`);
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('mysql-failover-rejoin-failback: the whole cycle, checked on the kept stack', () => {
  let run: Run;
  const kept: string[] = [];
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/mysql-failover-rejoin-failback.yaml', ['--keep-stack']);
    kept.push(run.result.runId);
  });
  after(async () => {
    for (const id of kept) await removeKeptRun(id);
  });

  it('passes with one row per event: failover, rejoin, failback, none losing a write', (t) => {
    const { result } = run;
    t.diagnostic(figures(result));
    assert.equal(result.verdict, 'pass', explain(result));
    assert.equal(run.code, 0);
    assert.equal(result.measured!.lostWrites, 0);
    const rows = result.perEvent!;
    assert.deepEqual(
      rows.map((e) => e.kind),
      ['failover', 'rejoin', 'failback'],
    );
    const [failover, rejoin, failback] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
    assert.equal(failover.lostWrites, 0);
    assert.ok(failover.rtoMs !== null && failover.rtoMs > 0 && failover.rtoMs < 10_000, `failover RTO ${failover.rtoMs}`);
    assert.match(rejoin.label, /^rejoin db-1 → replica of db-[23]$/);
    assert.ok(rejoin.withinMs !== null && rejoin.withinMs > 0 && rejoin.withinMs < 30_000, `rejoin within ${rejoin.withinMs}`);
    assert.ok(rejoin.errant, 'no errant-transaction account for the rejoin');
    assert.ok(rejoin.errant.resolution === 'none' ? rejoin.errant.count === 0 : rejoin.errant.resolution === 'discarded' && rejoin.errant.count > 0, JSON.stringify(rejoin.errant));
    assert.match(failback.label, /^failback db-[23] → db-1$/);
    assert.equal(failback.lostWrites, 0);
    assert.ok(failback.failedWrites > 0 && failback.downtimeMs !== null && failback.downtimeMs < 1000, `failback downtime ${failback.downtimeMs}`);
    assert.ok(result.events.some((e) => e.marker === 'rejoin-caught-up'));
    assert.equal(result.stack.primaryAfter, result.stack.primaryBefore);
  });

  it('db-1 is the primary again and both others replicate from it with the same data (read from the databases)', () => {
    const db1 = container(run, 'db-1');
    assert.equal(sql(db1, 'SELECT @@GLOBAL.read_only'), '0');
    assert.equal(slaveStatus(db1), null, 'db-1 still has replication configured');
    const primaryIds = ids(db1);
    for (const node of ['db-2', 'db-3']) {
      const name = container(run, node);
      const st = slaveStatus(name);
      assert.ok(st, `${node} is not a replica`);
      assert.equal(st.get('Master_Host'), db1, node);
      assert.equal(st.get('Slave_IO_Running'), 'Yes', `${node}: ${st.get('Last_IO_Error')}`);
      assert.equal(st.get('Slave_SQL_Running'), 'Yes', `${node}: ${st.get('Last_SQL_Error')}`);
      assert.equal(st.get('Using_Gtid'), 'Slave_Pos');
      assert.equal(sql(name, 'SELECT @@GLOBAL.read_only'), '1');
      waitCaughtUp(db1, name);
      assert.deepEqual(difference(primaryIds, ids(name)), [], `${node} misses writes of db-1`);
      assert.deepEqual(difference(ids(name), primaryIds), [], `${node} has writes db-1 does not`);
    }
  });

  it('the kept stack is removed by its label', async () => {
    await removeKeptRun(run.result.runId);
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('a switchover that cannot be done leaves the old primary writable', () => {
  let run: Run;
  const kept: string[] = [];
  before(async () => {
    await requireEngine();
    run = await runDrillFile(path.join(repoRoot, 'test', 'fixtures', 'mysql', 'switchover-to-lagging.yaml'), ['--keep-stack']);
    kept.push(run.result.runId);
  });
  after(async () => {
    for (const id of kept) await removeKeptRun(id);
  });

  it('ends the run (exit 3) saying what happened', () => {
    assert.equal(run.code, 3, run.stderr.slice(-2000));
    assert.equal(run.result.verdict, 'error');
    assert.match(
      run.result.reason ?? '',
      /^switchover db-1 → db-3 failed: db-3 did not reach db-1's position \S+ before the timeout; db-1 is writable again \(still the primary\); db-3 still replicates$/,
    );
  });

  it('db-1 is writable and not replicating, db-3 still replicates from it (read from the databases)', () => {
    const db1 = container(run, 'db-1');
    assert.equal(sql(db1, 'SELECT @@GLOBAL.read_only'), '0');
    assert.equal(slaveStatus(db1), null);
    for (const node of ['db-2', 'db-3']) {
      const st = slaveStatus(container(run, node))!;
      assert.equal(st.get('Master_Host'), db1, node);
      assert.equal(st.get('Slave_SQL_Running'), 'Yes', node);
    }
  });
});

describe('rejoin of a former primary with errant transactions', () => {
  const fixture = path.join(repoRoot, 'test', 'fixtures', 'mysql', 'errant-rejoin.yaml');
  const kept: string[] = [];
  before(requireEngine);
  after(async () => {
    for (const id of kept) await removeKeptRun(id);
  });

  it('errant: fail reports exactly the commits only the dead primary had, and leaves it out', async (t) => {
    const run = await runDrillFile(fixture, ['--keep-stack']);
    kept.push(run.result.runId);
    const { result } = run;
    t.diagnostic(figures(result));
    assert.equal(result.verdict, 'pass', explain(result));
    const rejoin = result.perEvent!.find((e) => e.kind === 'rejoin')!;
    const errant = rejoin.errant!;
    assert.equal(errant.resolution, 'refused');
    assert.ok(errant.count > 0, 'the partitioned primary acknowledged writes: some must be errant');
    assert.equal(rejoin.withinMs, null, 'a refused rejoin never caught up');

    const db1 = container(run, 'db-1');
    const primary = result.stack.primaryAfter!;
    assert.notEqual(primary, db1);
    // Independent count 1: GTIDs in db-1's binlogs that are in none of the new primary's.
    const gtids = difference(binlogGtids(db1), binlogGtids(primary));
    assert.equal(errant.count, gtids.length, `drill ${errant.count}, binlogs ${gtids.length}: ${gtids.slice(0, 5).join(', ')}`);
    assert.deepEqual(errant.first, gtids.slice(0, errant.first.length));
    // Independent count 2: each write is one autocommit INSERT, so one errant transaction per row.
    const rows = difference(ids(db1), ids(primary)).sort((a, b) => a - b);
    assert.equal(errant.count, rows.length);
    assert.deepEqual(errant.writeIds, rows.slice(0, errant.writeIds.length));
    // Each errant row is a write drill sent: acknowledged (counted lost) or never answered (committed on the
    // cut-off primary while its client timed out: unknown, not lost). The loss is exactly the acknowledged ones.
    const outcome = await outcomes(run);
    const acked = rows.filter((id) => outcome.get(id) === 'ok');
    for (const id of rows) assert.ok(outcome.has(id), `errant row ${id} is a write drill sent`);
    const probe = result.measured!.probe;
    assert.equal(result.measured!.lostWrites! + (probe?.lostWrites ?? 0), acked.length);
    assert.ok(acked.length > 0);
    // Left out: read-only, not replicating.
    assert.equal(sql(db1, 'SELECT @@GLOBAL.read_only'), '1');
    assert.equal(slaveStatus(db1), null);
  });

  it('errant: rebuild reports them, discards them by re-cloning, and the node replicates from the primary', async (t) => {
    const dir = await tempDir('errant-rebuild');
    const file = path.join(dir, 'errant-rebuild.yaml');
    const text = (await readFile(fixture, 'utf8')).replace(/^(\s+)errant: fail$/m, '$1errant: rebuild');
    assert.match(text, /^\s+errant: rebuild$/m);
    await writeFile(file, text);
    const run = await runDrillFile(file, ['--keep-stack']);
    kept.push(run.result.runId);
    const { result } = run;
    t.diagnostic(figures(result));
    assert.equal(result.verdict, 'pass', explain(result));
    const rejoin = result.perEvent!.find((e) => e.kind === 'rejoin')!;
    const errant = rejoin.errant!;
    assert.equal(errant.resolution, 'discarded');
    assert.ok(errant.count > 0);
    assert.ok(rejoin.withinMs !== null && rejoin.withinMs > 0, 'the re-cloned node never caught up');

    const db1 = container(run, 'db-1');
    const primary = result.stack.primaryAfter!;
    // The errant commits are the acknowledged writes the failover lost, plus any the cut-off primary
    // committed while its client timed out (unknown, not lost): bounded by both, from writes.csv.
    const outcome = await outcomes(run);
    const onPrimary = ids(primary);
    const lost = result.measured!.lostWrites! + (result.measured!.probe?.lostWrites ?? 0);
    const unknownMissing = [...outcome].filter(([id, o]) => o === 'unknown' && !onPrimary.has(id)).length;
    assert.ok(errant.count >= lost && errant.count <= lost + unknownMissing, `errant ${errant.count}: expected the ${lost} lost acknowledged writes plus at most ${unknownMissing} unknown ones`);
    for (const id of errant.writeIds) assert.ok(outcome.get(id) === 'ok' || outcome.get(id) === 'unknown', `errant write ${id} is a write drill sent and did not refuse`);
    const st = slaveStatus(db1);
    assert.ok(st, 'db-1 is not replicating');
    assert.equal(st.get('Master_Host'), primary);
    assert.equal(st.get('Slave_IO_Running'), 'Yes', st.get('Last_IO_Error'));
    assert.equal(st.get('Slave_SQL_Running'), 'Yes', st.get('Last_SQL_Error'));
    assert.equal(sql(db1, 'SELECT @@GLOBAL.read_only'), '1');
    waitCaughtUp(primary, db1);
    // The errant rows are gone, everything of the primary is there, and its binlog has nothing of its own.
    const mine = ids(db1);
    for (const id of errant.writeIds) assert.ok(!mine.has(id), `errant write ${id} still on db-1`);
    assert.deepEqual(difference(ids(primary), mine), []);
    assert.deepEqual(difference(mine, ids(primary)), []);
    assert.deepEqual(difference(binlogGtids(db1), binlogGtids(primary)), []);
  });

  it('the kept stacks are removed by their label', async () => {
    for (const id of kept.splice(0)) {
      await removeKeptRun(id);
      assert.deepEqual(await leftovers(id), []);
    }
  });
});

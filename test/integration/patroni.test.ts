import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { assertDirectReadBack } from './read-back.js';
import { writesOf } from './restore-helpers.js';
import { leftovers, removeKeptRun, requireEngine, runDrillFile } from './helpers.js';

// The patroni drills on the real engine (drill's offline image: PostgreSQL 15, Patroni 3.0.2, etcd 3.4,
// HAProxy 2.6), each checked against the nodes themselves: Patroni's REST API and its own log lines,
// HAProxy's log, and a direct psql read of the new leader (kept with --keep-stack, removed by run label).

type Run = Awaited<ReturnType<typeof runDrillFile>>;

/**
 * Remove a kept run by its label, then check nothing of it is left. Another run's preflight on this
 * engine may be removing the same containers at that moment (the engine answers 409 "removal already in
 * progress"): that is the same end, so wait for it instead of failing.
 */
async function removeRun(runId: string): Promise<void> {
  await removeKeptRun(runId).catch((error: unknown) => {
    if ((error as { statusCode?: number }).statusCode !== 409 && (error as { statusCode?: number }).statusCode !== 404) throw error;
  });
  for (let i = 0; i < 50 && (await leftovers(runId)).length > 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    await removeKeptRun(runId).catch(() => {});
  }
  assert.deepEqual(await leftovers(runId), []);
}

function psqlIds(container: string): Set<number> {
  const out = execFileSync('docker', ['exec', container, 'psql', '-h', '/tmp', '-U', 'postgres', '-d', 'drill', '-At', '-c', 'SELECT id FROM drill.writes'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return new Set(out.split('\n').filter(Boolean).map(Number));
}

/** Patroni's own answer to GET /cluster, asked inside a node (its REST API on localhost). */
function clusterOf(container: string): { members: { name: string; role: string; timeline?: number }[] } {
  return JSON.parse(execFileSync('docker', ['exec', container, 'curl', '-s', '--max-time', '3', 'http://localhost:8008/cluster'], { encoding: 'utf8' })) as {
    members: { name: string; role: string; timeline?: number }[];
  };
}

async function logLines(run: Run, node: string): Promise<string[]> {
  const file = run.result.files!.logs!.find((l) => l.node === node)!.file;
  return (await readFile(path.join(path.dirname(run.resultPath), file), 'utf8')).split('\n');
}

/** Patroni's own timestamp of a line ("2026-12-03 13:07:41,339 INFO: ..."), as the run clock of the result. */
function patroniLineMs(result: ResultJson, line: string): number {
  const m = /(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3}) INFO: /.exec(line);
  assert.ok(m, `no Patroni timestamp in: ${line}`);
  return Date.parse(`${m[1]}T${m[2]}.${m[3]}Z`) - result.clockOriginEpochMs;
}

function nodeOf(result: ResultJson, container: string): string {
  return container.replace(/^drill-[a-z0-9]+-/, '');
}

describe('patroni-kill-leader: a replica takes the lock after ttl, HAProxy follows; checked against Patroni, HAProxy and psql', () => {
  let run: Run;
  let keptRunId = '';
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/patroni-kill-leader.yaml', ['--keep-stack']);
    keptRunId = run.result.runId;
  });
  after(async () => {
    // Set once the run returned: a run that failed to start left nothing kept.
    if (keptRunId) await removeRun(keptRunId);
  });

  it('passes: the killed container was the leader, and another node leads now by its REST API', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(run.code, 0);
    const killed = result.faults[0]!.container;
    assert.equal(killed, result.stack.primaryBefore);
    assert.ok(result.stack.primaryAfter && result.stack.primaryAfter !== killed, `primary after: ${result.stack.primaryAfter}`);
    const cluster = clusterOf(result.stack.primaryAfter);
    const leader = cluster.members.find((m) => m.role === 'leader');
    assert.equal(leader?.name, nodeOf(result, result.stack.primaryAfter), JSON.stringify(cluster));
    assert.equal(leader.timeline, 2, 'the promotion starts timeline 2');
  });

  it("times the lock as Patroni's own log does, no sooner than ttl − loop_wait after the kill", async () => {
    const { result } = run;
    const f = result.stack.failover!;
    assert.ok(f.lockTaken.measuredMs !== null && f.lockTaken.node === nodeOf(result, result.stack.primaryAfter!), JSON.stringify(f));
    const line = (await logLines(run, f.lockTaken.node)).find((l) => l.includes('promoted self to leader by acquiring session lock'));
    assert.ok(line, 'the new leader never logged taking the lock');
    const fromLog = patroniLineMs(result, line) - result.measured!.faultAtMs!;
    // The engine stamps the line as it reads it: within a few ms of Patroni's own stamp (sub-second on a loaded host).
    assert.ok(Math.abs(fromLog - f.lockTaken.measuredMs) < 1000, `drill: ${f.lockTaken.measuredMs} ms, Patroni's stamp: ${fromLog} ms`);
    // The dead leader's key was renewed at most loop_wait before the kill: it cannot have expired sooner.
    assert.ok(f.lockTaken.measuredMs >= f.settings.ttlMs - f.settings.loopWaitMs - 100, `lock taken ${f.lockTaken.measuredMs} ms after the kill, ttl ${f.settings.ttlMs}`);
    assert.match(f.text, /ttl 6 s, loop_wait 1 s/);
    // Writes cannot be back before the new leader took the lock.
    assert.ok(result.measured!.rtoMs! >= f.lockTaken.measuredMs - result.measured!.precisionMs, `RTO ${result.measured!.rtoMs} < lock ${f.lockTaken.measuredMs}`);
  });

  it("puts HAProxy's own UP line for the new leader on the timeline", async () => {
    const { result } = run;
    const up = result.events.find((e) => e.marker === 'proxy-server-up' && e.atMs > result.measured!.faultAtMs!);
    assert.ok(up, 'no proxy-server-up after the kill');
    const line = (await logLines(run, 'haproxy-1'))[up.log!.line - 1]!;
    assert.match(line, new RegExp(`Server primary/${nodeOf(result, result.stack.primaryAfter!)} is UP`));
  });

  it('reports the same data as psql on the new leader', () => {
    assertDirectReadBack(run.result, psqlIds(run.result.stack.primaryAfter!), 'the new leader');
  });

  it('leaves nothing behind once the kept stack is removed', async () => {
    await removeRun(run.result.runId);
  });
});

describe('patroni-partition-leader: the cut-off leader demotes itself; what it acked after the cut is counted', () => {
  let run: Run;
  let keptRunId = '';
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/patroni-partition-leader.yaml', ['--keep-stack']);
    keptRunId = run.result.runId;
  });
  after(async () => {
    // Set once the run returned: a run that failed to start left nothing kept.
    if (keptRunId) await removeRun(keptRunId);
  });

  it('the old leader logged its demotion, and a node of the other side took the lock', async () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    const oldLeader = nodeOf(result, result.stack.primaryBefore!);
    const f = result.stack.failover!;
    assert.equal(f.demoted.node, oldLeader, JSON.stringify(f));
    const line = (await logLines(run, oldLeader)).find((l) => /demoting self because DCS is not accessible/.test(l));
    assert.ok(line, 'the old leader never logged its demotion');
    assert.ok(Math.abs(patroniLineMs(result, line) - result.measured!.faultAtMs! - f.demoted.measuredMs!) < 1000, `${line} vs ${f.demoted.measuredMs} ms`);
    assert.ok(f.lockTaken.node && f.lockTaken.node !== oldLeader, JSON.stringify(f));
    assert.notEqual(result.stack.primaryAfter, result.stack.primaryBefore);
    // Writes through HAProxy cannot be back for good before a new leader took the lock: a blip the cut
    // itself caused and healed before the demotion is not the recovery (it is a relapse: measure/recovery.ts).
    assert.ok(result.measured!.rtoMs! >= f.lockTaken.measuredMs! - result.measured!.precisionMs, `RTO ${result.measured!.rtoMs} < lock ${f.lockTaken.measuredMs}`);
  });

  it('counts the writes the old leader acked after the cut as lost, none later than its demotion, and psql on the new leader agrees', async () => {
    const { result } = run;
    const m = result.measured!;
    const f = result.stack.failover!;
    assert.ok(m.lost.ackedAfterFault > 0, 'no write acked after the cut was lost: was the leader really cut off with its clients?');
    assert.equal(f.ackedAfterFault.lost, m.lost.ackedAfterFault);
    // The old leader stops writing when Patroni stops its PostgreSQL: nothing it acked can come later (1 s: log stamps vs the client's clock).
    const oldLeader = nodeOf(result, result.stack.primaryBefore!);
    const shutdown = (await logLines(run, oldLeader)).find((l) => /received (fast|immediate) shutdown request/.test(l) && patroniPgMs(result, l) > m.faultAtMs!);
    assert.ok(shutdown, 'the old leader never stopped its PostgreSQL');
    assert.ok(m.lost.ackSpanMs!.lastMs <= patroniPgMs(result, shutdown) + 1000, `last lost ack ${m.lost.ackSpanMs!.lastMs} ms, shutdown ${shutdown}`);
    assertDirectReadBack(result, psqlIds(result.stack.primaryAfter!), 'the new leader');
  });

  it("Patroni's rewind of the old leader: the WAL only it had, past the fork the new leader's history file names", (t) => {
    const { result } = run;
    const oldLeader = nodeOf(result, result.stack.primaryBefore!);
    const f = result.stack.failover!;
    const rw = f.rewinds.find((r) => r.node === oldLeader);
    assert.ok(rw, `no rewind of ${oldLeader}: ${JSON.stringify(f.rewinds)}`);
    // The fork point, read from the new leader itself: its timeline history file's line for the old timeline.
    const historyFile = `pg_wal/${String(rw.timeline + 1).padStart(8, '0')}.history`;
    const history = execFileSync('docker', ['exec', result.stack.primaryAfter!, 'psql', '-h', '/tmp', '-U', 'postgres', '-At', '-c', `SELECT pg_read_file('${historyFile}')`], { encoding: 'utf8' });
    const fork = new RegExp(`^${rw.timeline}\\s+([0-9A-F]+/[0-9A-F]+)`, 'm').exec(history)?.[1];
    assert.equal(rw.forkLsn, fork, history);
    // pg_rewind's own word agrees, and the old leader had WAL past the fork: the writes it acked after the cut.
    // (Its line comes when pg_rewind has compared the servers; a rewind still running as the run saved the
    // logs has not said it yet.)
    if (rw.divergedAtLsn === null) t.diagnostic(`pg_rewind had not yet said where the servers diverged when the logs were saved (${JSON.stringify(rw)})`);
    else assert.equal(rw.divergedAtLsn, rw.forkLsn);
    assert.ok(rw.extraWalBytes > 0 && result.measured!.lost.ackedAfterFault > 0, JSON.stringify(rw));
    assert.match(f.text, new RegExp(`Patroni rewound ${oldLeader}`));
  });
});

/** PostgreSQL's own timestamp of a line ("2026-12-03 13:19:07.040 UTC [71] LOG: ..."), on the run clock. */
function patroniPgMs(result: ResultJson, line: string): number {
  const m = /(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) UTC \[/.exec(line);
  assert.ok(m, `no PostgreSQL timestamp in: ${line}`);
  return Date.parse(`${m[1]}T${m[2]}Z`) - result.clockOriginEpochMs;
}

describe('patroni-etcd-quorum-loss: without failsafe_mode the leader demotes itself, nothing acked is lost', () => {
  let run: Run;
  let keptRunId = '';
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/patroni-etcd-quorum-loss.yaml', ['--keep-stack']);
    keptRunId = run.result.runId;
  });
  after(async () => {
    // Set once the run returned: a run that failed to start left nothing kept.
    if (keptRunId) await removeRun(keptRunId);
  });

  it("writes failed once the leader gave up its lock (its own log), and came back after etcd's majority did", async () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    const m = result.measured!;
    assert.ok(m.failedWrites > 0, 'no write failed: the leader never stopped');
    const demoted = result.events.find((e) => e.marker === 'leader-lock-lost' && e.atMs > m.faultAtMs!);
    assert.ok(demoted, 'no node logged losing its lock');
    const line = (await logLines(run, demoted.log!.node))[demoted.log!.line - 1]!;
    assert.match(line, /DCS is not accessible/);
    assert.ok(m.firstFailureAtMs! >= demoted.atMs - 3000, `writes failed at ${m.firstFailureAtMs} ms, long before the demotion at ${demoted.atMs} ms`);
    const elected = result.events.find((e) => e.marker === 'dcs-leader-elected' && e.atMs > m.faultAtMs!);
    assert.ok(elected && m.recoveredAtMs! >= elected.atMs, `recovered at ${m.recoveredAtMs} ms before etcd had a leader again (${elected?.atMs})`);
  });

  it('loses nothing acknowledged, by psql on the leader', () => {
    const { result } = run;
    assert.equal(result.measured!.lostWrites, 0);
    assertDirectReadBack(result, psqlIds(result.stack.primaryAfter!), 'the new leader');
  });
});

describe('patroni-etcd-quorum-loss-failsafe: with failsafe_mode the leader keeps writing through the etcd outage', () => {
  let run: Run;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/patroni-etcd-quorum-loss-failsafe.yaml');
  });

  it('no write failed while etcd had no majority, the leader logged failsafe mode and never demoted, and etcd really lost its majority', async () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    const m = result.measured!;
    // From the first kill until etcd's first node came back: the failsafe's claim. The heal itself may cost
    // a blip (the drill's downtime objective bounds it): drill reports it, it is not the failsafe's.
    const backMs = Math.min(...result.faults.map((f) => f.healedAtMs ?? Number.POSITIVE_INFINITY));
    const duringOutage = (await writesOf(run.resultPath)).filter((w) => w.invokeMs >= m.faultAtMs! && w.invokeMs < backMs);
    assert.ok(Number.isFinite(backMs) && duringOutage.length > 1000, `${duringOutage.length} writes sent while etcd was down (back at ${backMs} ms)`);
    assert.deepEqual(
      duringOutage.filter((w) => !w.ok).map((w) => w.invokeMs),
      [],
      'writes failed while etcd had no majority',
    );
    assert.equal(m.lostWrites, 0);
    assert.equal(result.stack.primaryAfter, result.stack.primaryBefore);
    const failsafe = result.events.find((e) => e.marker === 'failsafe-leader' && e.atMs > m.faultAtMs!);
    assert.ok(failsafe, 'the leader never logged failsafe mode');
    assert.match((await logLines(run, failsafe.log!.node))[failsafe.log!.line - 1]!, /failsafe mode is enabled and all members are accessible/);
    assert.ok(!result.events.some((e) => e.marker === 'leader-lock-lost' && e.atMs > m.faultAtMs!), 'a node demoted itself');
    assert.ok(
      result.events.some((e) => e.marker === 'dcs-leader-lost' && e.atMs > m.faultAtMs!),
      "etcd's survivor never lost its leader",
    );
    assert.deepEqual(await leftovers(result.runId), []);
  });
});

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { ResultJson } from '../../src/report/result.js';
import { assertRecoveryFloor } from './floor-helpers.js';
import { assertDirectReadBack } from './read-back.js';
import { leftovers, removeKeptRun, requireEngine, runCli, runDrillFile, tempDir } from './helpers.js';

// Synchronous replication under a failed or slow synchronous standby, on the real engine: Patroni
// switching its sync standby (or, strict, blocking), and latency on the primary ↔ sync standby link only.
// Each figure is checked against the servers themselves: Patroni's REST API and log lines, PostgreSQL's
// log and pg_stat_replication, round trips timed inside the containers, psql read-backs of the leader.

type Run = Awaited<ReturnType<typeof runDrillFile>>;
const execFileAsync = promisify(execFile);

async function removeRun(runId: string): Promise<void> {
  // Another run's preflight may be removing the same kept containers (409/404): the same end.
  await removeKeptRun(runId).catch((error: unknown) => {
    const code = (error as { statusCode?: number }).statusCode;
    if (code !== 409 && code !== 404) throw error;
  });
  for (let i = 0; i < 50 && (await leftovers(runId)).length > 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
    await removeKeptRun(runId).catch(() => {});
  }
  assert.deepEqual(await leftovers(runId), []);
}

function psqlIds(container: string, socketDir: string): Set<number> {
  const out = execFileSync('docker', ['exec', container, 'psql', '-X', '-At', '-h', socketDir, '-U', 'postgres', '-d', 'drill', '-c', 'SELECT id FROM drill.writes'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return new Set(out.split('\n').filter(Boolean).map(Number));
}

async function logLines(run: Run, node: string): Promise<string[]> {
  const file = run.result.files!.logs!.find((l) => l.node === node)!.file;
  return (await readFile(path.join(path.dirname(run.resultPath), file), 'utf8')).split('\n');
}

/** A line's own timestamp, Patroni's ("2026-12-03 16:28:31,665 INFO:") or PostgreSQL's ("2026-12-03 16:28:31.880 UTC [140]"), on the run clock. */
function lineMs(result: ResultJson, line: string): number {
  const m = /(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)[,.](\d{3})(?: UTC \[| (?:INFO|WARNING):)/.exec(line);
  assert.ok(m, `no Patroni or PostgreSQL timestamp in: ${line}`);
  return Date.parse(`${m[1]}T${m[2]}.${m[3]}Z`) - result.clockOriginEpochMs;
}

const nodeOf = (container: string) => container.replace(/^drill-[a-z0-9]+-/, '');

interface Write {
  id: number;
  invokeMs: number;
  completeMs: number;
  outcome: string;
}

async function writes(run: Run): Promise<Write[]> {
  const text = await readFile(path.join(path.dirname(run.resultPath), 'writes.csv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [id, invokeMs, completeMs, outcome] = line.split(',');
      return { id: Number(id), invokeMs: Number(invokeMs), completeMs: Number(completeMs), outcome: outcome! };
    });
}

/** Log stamps are whole milliseconds and the runner's clock maps onto the host's: this much slack between them. */
const CLOCK_SLACK_MS = 20;

/**
 * The leader's commits wait for the synchronous standby from its connection's end (the leader's "unexpected
 * EOF on standby connection") until a standby confirms again ("is now a synchronous standby"): no write sent
 * inside that window can have been acknowledged before its end. Returns the window and the writes it held.
 */
async function assertStall(run: Run, leader: string): Promise<{ fromMs: number; toMs: number; held: number }> {
  const { result } = run;
  const faultAtMs = result.measured!.faultAtMs!;
  const lines = await logLines(run, leader);
  const eof = lines.find((l) => l.includes('unexpected EOF on standby connection') && lineMs(result, l) > faultAtMs - CLOCK_SLACK_MS);
  assert.ok(eof, 'the leader never lost its synchronous standby connection');
  const fromMs = lineMs(result, eof);
  const back = lines.find((l) => /standby "pg-\d" is now a synchronous standby/.test(l) && lineMs(result, l) > fromMs);
  assert.ok(back, 'no standby became synchronous again after the kill');
  const toMs = lineMs(result, back);
  const inside = (await writes(run)).filter((w) => w.invokeMs > fromMs + CLOCK_SLACK_MS && w.invokeMs < toMs - CLOCK_SLACK_MS);
  assert.ok(inside.length > 0, `no write was sent between ${fromMs} and ${toMs} ms`);
  for (const w of inside.filter((x) => x.outcome === 'ok')) {
    assert.ok(w.completeMs >= toMs - CLOCK_SLACK_MS, `write ${w.id} sent at ${w.invokeMs} ms was acknowledged at ${w.completeMs} ms, before a standby confirmed again (${toMs} ms)`);
  }
  return { fromMs, toMs, held: inside.length };
}

describe('patroni-kill-sync-standby: Patroni names the other replica; writes stall for about one HA loop, nothing acked lost', () => {
  let run: Run;
  let keptRunId = '';
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/patroni-kill-sync-standby.yaml', ['--keep-stack']);
    keptRunId = run.result.runId;
  });
  after(async () => {
    if (keptRunId) await removeRun(keptRunId);
  });

  it('killed the synchronous standby Patroni had named, and Patroni named the third node (REST API and log)', async (t) => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(run.code, 0);
    const killed = nodeOf(result.faults[0]!.container);
    const leader = nodeOf(result.stack.primaryBefore!);
    assert.equal(result.stack.primaryAfter, result.stack.primaryBefore, 'the leader must not change');
    const faultAtMs = result.measured!.faultAtMs!;
    const lines = await logLines(run, leader);
    const before = lines.filter((l) => l.includes('Assigning synchronous standby status to') && lineMs(result, l) < faultAtMs).pop();
    assert.ok(before?.includes(`['${killed}']`), `the leader's last sync standby before the kill: ${before}; killed ${killed}`);
    const other = ['pg-1', 'pg-2', 'pg-3'].find((n) => n !== leader && n !== killed)!;
    const cluster = JSON.parse(execFileSync('docker', ['exec', result.stack.primaryAfter!, 'curl', '-s', '--max-time', '3', 'http://localhost:8008/cluster'], { encoding: 'utf8' })) as {
      members: { name: string; role: string }[];
    };
    assert.equal(cluster.members.find((m) => m.role === 'sync_standby')?.name, other, JSON.stringify(cluster));
    const set = result.events.find((e) => e.marker === 'sync-standby-set' && e.atMs > faultAtMs);
    assert.ok(set, 'no sync-standby-set event after the kill');
    const line = lines[set.log!.line - 1]!;
    assert.ok(line.includes(`Assigning synchronous standby status to ['${other}']`), line);
    assert.ok(Math.abs(lineMs(result, line) - set.atMs) < 1000, `${line} vs the event at ${set.atMs} ms`);
    t.diagnostic(`sync standby ${killed} killed at ${faultAtMs.toFixed(0)} ms; Patroni named ${other} at ${set.atMs.toFixed(0)} ms`);
  });

  it('no write sent after the standby died was acknowledged before the new one confirmed; the stall is about one HA loop', async (t) => {
    const { result } = run;
    const leader = nodeOf(result.stack.primaryBefore!);
    const stall = await assertStall(run, leader);
    const loopWaitMs = 1000;
    // Patroni sees the standby gone on its next HA loop (≤ loop_wait), then reloads PostgreSQL (100 ms) and the other replica confirms.
    assert.ok(stall.toMs - stall.fromMs < loopWaitMs + 4000, `stall ${stall.toMs - stall.fromMs} ms`);
    const m = result.measured!;
    if (m.failedWrites + m.unknownWrites === 0) {
      // A stall shorter than the app's 1 s timeout only slows writes: none fails, so the RTO is 0
      // (docs/design.md), and the slowest write waited out the stall. With no failure there is no recovery
      // edge for the leader's announcement to narrow, and drill says so (a CI rehearsal on 2026-12-08: a
      // 350 ms stall, 71 probe writes failed at their 250 ms timeout, no declared write).
      assert.equal(m.rtoMs, 0);
      assert.ok(stall.toMs - stall.fromMs < 1000 + CLOCK_SLACK_MS, `no write failed, yet commits stalled ${stall.toMs - stall.fromMs} ms`);
      assert.equal(m.recoveryFloor, undefined);
      assert.ok(
        m.notes.some((n) => n.startsWith('no write failed after the fault')),
        m.notes.join(' | '),
      );
      t.diagnostic(`commits stalled ${(stall.toMs - stall.fromMs).toFixed(0)} ms (${stall.held} writes sent inside); no declared write failed: RTO 0`);
      return;
    }
    assert.ok(m.rtoMs! >= stall.toMs - m.faultAtMs! - m.precisionMs - CLOCK_SLACK_MS, `RTO ${m.rtoMs} ms`);
    // The leader's announcement of the other standby bounds the stall's end below (the gate was closed
    // since the only synchronous standby's container exited): the run's own files agree.
    const standby = result.faults[0]!;
    const floor = await assertRecoveryFloor(run.resultPath, result, standby.goneByMs ?? standby.effectByMs ?? standby.injectReturnedAtMs);
    assert.match(floor.why, new RegExp(`^${leader} logged "(standby "[^"]+" is now a synchronous standby|parameter "synchronous_standby_names" changed to "")`));
    assert.ok(floor.atMs >= stall.fromMs, `the floor ${floor.atMs} ms lies before the stall began (${stall.fromMs} ms)`);
    t.diagnostic(`commits stalled ${(stall.toMs - stall.fromMs).toFixed(0)} ms (${stall.held} writes sent inside); RTO ${result.measured!.rtoMs} ± ${m.precisionMs} ms; floor ${floor.effect}`);
  });

  it('loses nothing acknowledged, by psql on the leader', () => {
    assert.equal(run.result.measured!.lostWrites, 0);
    assertDirectReadBack(run.result, psqlIds(run.result.stack.primaryAfter!, '/tmp'), 'the leader');
  });
});

describe('patroni-strict-sync-standby-down: with synchronous_mode_strict, writes block while the only standby is down', () => {
  let run: Run;
  let keptRunId = '';
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/patroni-strict-sync-standby-down.yaml', ['--keep-stack']);
    keptRunId = run.result.runId;
  });
  after(async () => {
    if (keptRunId) await removeRun(keptRunId);
  });

  it("blocks every commit from the standby's death until it is back (Patroni: No standbys available!), the leader stays", async (t) => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(result.stack.primaryAfter, result.stack.primaryBefore);
    const leader = nodeOf(result.stack.primaryBefore!);
    const lost = result.events.find((e) => e.marker === 'sync-standby-lost' && e.atMs > result.measured!.faultAtMs!);
    assert.ok(lost, 'Patroni never logged losing its synchronous standby');
    assert.ok(
      (await logLines(run, leader)).some((l) => l.includes('No standbys available!') && lineMs(result, l) > result.measured!.faultAtMs!),
      'no "No standbys available!" after the kill',
    );
    const stall = await assertStall(run, leader);
    // The standby was started again only when the fault healed: commits could not go on sooner.
    const healedAtMs = result.faults[0]!.healedAtMs!;
    assert.ok(stall.toMs >= healedAtMs - CLOCK_SLACK_MS, `commits went on at ${stall.toMs} ms, before the standby was started again (${healedAtMs} ms)`);
    const m = result.measured!;
    assert.ok(m.failedWrites + m.unknownWrites > 0, 'no write failed or timed out: commits were not blocked');
    // The leader's own line when the restarted standby confirmed again bounds recovery below (the gate
    // was closed since the only standby died): it follows the restart, and recovery is not before it.
    const standby = result.faults[0]!;
    const floor = await assertRecoveryFloor(run.resultPath, result, standby.effectByMs ?? standby.injectReturnedAtMs);
    assert.match(floor.why, new RegExp(`^${leader} logged "standby "[^"]+" is now a synchronous standby`));
    assert.ok(floor.atMs >= healedAtMs, `the gate opened at ${floor.atMs} ms, before the standby was started again (${healedAtMs} ms)`);
    t.diagnostic(`commits blocked ${(stall.toMs - stall.fromMs).toFixed(0)} ms (${stall.held} writes sent inside); RTO ${m.rtoMs} ms; ${m.failedWrites} failed, ${m.unknownWrites} unknown`);
  });

  it('loses nothing acknowledged, by psql on the leader', () => {
    assert.equal(run.result.measured!.lostWrites, 0);
    assertDirectReadBack(run.result, psqlIds(run.result.stack.primaryAfter!, '/tmp'), 'the leader');
  });
});

// ---- latency on the primary ↔ sync standby link only ----

const DELAY_MS = 50;

/** Round trips (PostgreSQL startup message → its first answer byte) from inside `from` to `host`:5432, timed there with perl (in every Debian). */
async function pgRoundTrips(from: string, host: string, samples: number): Promise<number[]> {
  const script = `use IO::Socket::INET; use Time::HiRes qw(time);
for (1..${samples}) { my $s = IO::Socket::INET->new(PeerAddr => $ARGV[0], PeerPort => 5432, Proto => 'tcp', Timeout => 5) or die "connect: $!";
  my $t = time; syswrite($s, pack('NNZ*Z*x', 16, 196608, 'user', 'x')); sysread($s, my $b, 1) or die 'no answer';
  printf "%.2f\\n", (time - $t) * 1000; close $s; }`;
  const { stdout } = await execFileAsync('docker', ['exec', from, 'perl', '-e', script, host], { timeout: 20_000 });
  return stdout.trim().split('\n').map(Number);
}

/** pg_stat_replication's flush_lag per standby on the primary, in ms (null: no recent WAL to time). */
async function flushLags(primary: string): Promise<Map<string, number | null>> {
  const sql = 'SELECT application_name, extract(epoch FROM flush_lag) * 1000 FROM pg_stat_replication';
  const { stdout } = await execFileAsync('docker', ['exec', primary, 'psql', '-X', '-At', '-F', ' ', '-h', '/var/run/postgresql', '-U', 'postgres', '-c', sql], { timeout: 10_000 });
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([name, lag]) => [name!, lag ? Number(lag) : null]),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('pg-sync-standby-latency: the sync standby link is slow, the app path is not', () => {
  let run: Run;
  let keptRunId = '';
  const seen: { fromStandby: number[]; fromApp: number[]; lags: Map<string, number | null>[] } = { fromStandby: [], fromApp: [], lags: [] };
  let probeError: unknown = null;

  before(async () => {
    await requireEngine();
    const out = await tempDir('pg-sync-standby-latency');
    let token = '';
    // Set inside the stderr callback (an object: TypeScript does not narrow it to null then).
    const probing: { done: Promise<void> | null } = { done: null };
    // While the link is slow (the drill printed the fault in effect), measure it from inside the containers.
    const probe = async () => {
      const [pg1, pg2, app] = ['pg-1', 'pg-2', 'app-1'].map((n) => `drill-${token}-${n}`);
      seen.fromStandby = await pgRoundTrips(pg2!, pg1!, 5);
      seen.fromApp = await pgRoundTrips(app!, pg1!, 5);
      for (let i = 0; i < 4; i++) {
        seen.lags.push(await flushLags(pg1!));
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    let stderr = '';
    const cli = await runCli(['run', 'drills/pg-sync-standby-latency.yaml', '--out', out, '--json', '--keep-stack'], {
      timeoutMs: 300_000,
      onStderr: (chunk) => {
        stderr += chunk;
        token ||= /"run":"[^"]*-([a-z0-9]+)"/.exec(stderr)?.[1] ?? '';
        if (!probing.done && token && /fault: latency .*→ in effect/.test(stderr)) {
          probing.done = probe().catch((error: unknown) => {
            probeError = error;
          });
        }
      },
    });
    await probing.done;
    const line = cli.stdout.trim().split('\n').pop()!;
    const { resultPath } = JSON.parse(line) as { resultPath: string };
    run = { code: cli.code, result: JSON.parse(await readFile(resultPath, 'utf8')) as ResultJson, resultPath, stderr: cli.stderr };
    keptRunId = run.result.runId;
  });
  after(async () => {
    if (keptRunId) await removeRun(keptRunId);
  });

  it('passes with the link verified by drill, and nothing acknowledged lost (psql on the primary)', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(run.code, 0);
    const f = result.faults[0]!;
    assert.equal(f.mechanism, 'tcp-proxy');
    assert.match(f.verified!, /from pg-2 .* from drill, not on the link/);
    assert.equal(result.measured!.lostWrites, 0);
    assertDirectReadBack(result, psqlIds(result.stack.primaryAfter!, '/var/run/postgresql'), 'the leader');
  });

  it('round trips to the primary from inside the sync standby take the delay; from inside the app they do not', (t) => {
    assert.equal(probeError, null, `probing during the fault failed: ${String(probeError)}`);
    assert.equal(seen.fromStandby.length, 5, 'the test never probed while the link was slow');
    assert.ok(Math.min(...seen.fromStandby) >= DELAY_MS - 2, `from pg-2: ${seen.fromStandby.join(', ')} ms`);
    // Relative to the standby's path: each answer includes PostgreSQL forking a backend, 30–56 ms on a busy
    // CI host (a CI run failed an absolute < 25 ms), while the delay is on the standby's link alone.
    assert.ok(
      Math.min(...seen.fromApp) < Math.min(...seen.fromStandby) - DELAY_MS / 2,
      `from app-1: ${seen.fromApp.join(', ')} ms; from pg-2: ${seen.fromStandby.join(', ')} ms (the app's path must not be delayed)`,
    );
    t.diagnostic(`to pg-1:5432 from pg-2 ${seen.fromStandby.join(', ')} ms; from app-1 ${seen.fromApp.join(', ')} ms`);
  });

  it("the primary's own pg_stat_replication: pg-2's flush lag holds the delay, pg-3's (async, direct) does not", (t) => {
    const pg2 = seen.lags.map((l) => l.get('pg-2')).filter((x): x is number => typeof x === 'number');
    const pg3 = seen.lags.map((l) => l.get('pg-3')).filter((x): x is number => typeof x === 'number');
    assert.ok(pg2.length > 0 && pg3.length > 0, JSON.stringify(seen.lags.map((l) => [...l])));
    assert.ok(median(pg2) >= DELAY_MS * 0.9, `pg-2 flush_lag ${pg2.join(', ')} ms`);
    assert.ok(Math.min(...pg3) < DELAY_MS, `pg-3 flush_lag ${pg3.join(', ')} ms`);
    t.diagnostic(`flush_lag pg-2 ${pg2.map((x) => x.toFixed(1)).join(', ')} ms; pg-3 ${pg3.map((x) => x.toFixed(1)).join(', ')} ms`);
    // drill's own reading of the same view, on the timeline: it must agree (pg-2 held, pg-3 not). As the heal
    // begins the load may have ended: an idle standby has no lag to time ('-'), nothing to compare then.
    const notes = run.result.events.filter((e) => e.message.startsWith('replication lag by pg-1'));
    assert.equal(notes.length, 2, notes.map((e) => e.message).join(' | '));
    const flush = (message: string, name: string) => new RegExp(`${name} \\(\\w+\\) write [\\d.-]+ ms, flush ([\\d.]+|-) ms`).exec(message)?.[1];
    const inPlace = notes.find((e) => e.message.includes('with the link in place'))!.message;
    // pg-3 may read '-' here too: PostgreSQL forgets a standby's lag once two replies in a row say it has
    // replayed everything (walsender.c), which a direct async standby between two commits can do. That is
    // "not held" as well; a held pg-3 would read ≥ the delay and fail.
    const inPlacePg3 = flush(inPlace, 'pg-3');
    assert.ok(Number(flush(inPlace, 'pg-2')) >= DELAY_MS * 0.9 && (inPlacePg3 === '-' || Number(inPlacePg3) < DELAY_MS), inPlace);
    const atHeal = notes.find((e) => e.message.includes('as the heal began'))!.message;
    const atHealPg2 = flush(atHeal, 'pg-2');
    assert.ok(atHealPg2 === '-' || Number(atHealPg2) >= DELAY_MS * 0.9, atHeal);
  });

  it('commit latency (p50 of acknowledged writes) rises by about the delay once the link is slow', async (t) => {
    const { result } = run;
    const f = result.faults[0]!;
    const all = (await writes(run)).filter((w) => w.outcome === 'ok');
    const before = all.filter((w) => w.invokeMs < f.injectedAtMs).map((w) => w.completeMs - w.invokeMs);
    // From when drill verified the link (pg-2 had reconnected through it) to the end of the load.
    const during = all.filter((w) => w.invokeMs > f.verifiedAtMs!).map((w) => w.completeMs - w.invokeMs);
    assert.ok(before.length > 20 && during.length > 20, `${before.length} writes before, ${during.length} during`);
    const rise = median(during) - median(before);
    assert.ok(rise >= DELAY_MS * 0.6, `p50 ${median(before).toFixed(1)} ms before, ${median(during).toFixed(1)} ms during: +${rise.toFixed(1)} ms`);
    t.diagnostic(`write p50 ${median(before).toFixed(1)} ms before, ${median(during).toFixed(1)} ms with the slow link (+${rise.toFixed(1)} ms, delay ${DELAY_MS} ms)`);
  });
});

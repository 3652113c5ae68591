import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { epochMsOfRfc3339 } from '../../src/util/rfc3339.js';
import { leftovers, requireEngine, runDrillFile } from './helpers.js';

// Reads during a failover (docs/reads.md), through the shipped drills run by the built CLI. Where drill
// counts an anomaly, the test counts it again from the raw histories the run left beside result.json
// (writes.csv, reads.csv), with its own code: write id N is a version of key N mod keys.

interface WriteRow {
  id: number;
  invokeMs: number;
  completeMs: number;
  outcome: string;
  found: string;
}
interface ReadRow {
  seq: number;
  key: number;
  invokeMs: number;
  completeMs: number;
  outcome: string;
  version: number | null;
  ownWriteId: number | null;
}

/**
 * Whether the delayed replica's I/O thread last connected within 50 ms of a whole second (the engine's
 * stamp of MariaDB's "Slave I/O thread: connected to master" line), where its whole-second clock
 * difference with the primary may take a second off MASTER_DELAY.
 */
async function connectedNearWholeSecond(logPath: string): Promise<boolean> {
  const line = (await readFile(logPath, 'utf8'))
    .split('\n')
    .filter((l) => l.includes('Slave I/O thread: connected to master'))
    .at(-1);
  const stampMs = line === undefined ? null : epochMsOfRfc3339(line.split(' ')[0]!);
  if (stampMs === null) return false;
  const intoSecondMs = stampMs % 1000;
  return intoSecondMs < 50 || intoSecondMs > 950;
}

async function histories(resultPath: string): Promise<{ writes: WriteRow[]; reads: ReadRow[] }> {
  const dir = path.dirname(resultPath);
  const rows = async (file: string) =>
    (await readFile(path.join(dir, file), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
  const writes = (await rows('writes.csv')).map(([id, invokeMs, completeMs, outcome, found]) => ({
    id: Number(id),
    invokeMs: Number(invokeMs),
    completeMs: Number(completeMs),
    outcome: outcome!,
    found: found!,
  }));
  const reads = (await rows('reads.csv')).map(([seq, key, invokeMs, completeMs, outcome, version, own]) => ({
    seq: Number(seq),
    key: Number(key),
    invokeMs: Number(invokeMs),
    completeMs: Number(completeMs),
    outcome: outcome!,
    version: version ? Number(version) : null,
    ownWriteId: own ? Number(own) : null,
  }));
  return { writes, reads };
}

/** Stale reads counted from scratch: an ok read missing a write to its key acknowledged before it was sent; with how long before. */
function staleFromScratch(writes: WriteRow[], reads: ReadRow[], keys: number): { count: number; lagsMs: { atMs: number; lagMs: number }[] } {
  const acked = writes.filter((w) => w.outcome === 'ok');
  let count = 0;
  const lagsMs: { atMs: number; lagMs: number }[] = [];
  for (const r of reads) {
    if (r.outcome !== 'ok' || r.ownWriteId !== null) continue;
    const missed = acked.filter((w) => w.id % keys === r.key && w.completeMs < r.invokeMs && (r.version === null || w.id > r.version));
    if (missed.length === 0) continue;
    count++;
    lagsMs.push({ atMs: r.invokeMs, lagMs: r.invokeMs - Math.min(...missed.map((w) => w.completeMs)) });
  }
  return { count, lagsMs };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil(s.length / 2) - 1]!;
}

describe('reads during a failover', () => {
  before(requireEngine);

  it('redis-read-replica-kill-master: reads from a replica stay up while writes fail over', async () => {
    const { result, code, resultPath } = await runDrillFile('drills/redis-read-replica-kill-master.yaml');
    assert.equal(code, 0, result.reason ?? '');
    const m = result.measured!;
    const reads = m.reads!;
    assert.ok(m.downtimeMs! > 1000, `writes were down ${m.downtimeMs} ms: the failover did not happen as expected`);
    // The reads blip at most once (the replica they were on is promoted); far shorter than the writes' outage.
    assert.ok(reads.downtimeMs !== null && reads.downtimeMs * 2 < m.downtimeMs!, `read downtime ${reads.downtimeMs} ms vs write downtime ${m.downtimeMs} ms`);
    const { reads: rows } = await histories(resultPath);
    const failed = rows.filter((r) => r.outcome !== 'ok').length;
    assert.equal(failed, reads.fail + reads.unknown, 'reads.csv and result.json agree on failed reads');
    assert.ok(failed < rows.length * 0.02, `${failed} of ${rows.length} reads failed`);
    const writesFailed = m.failedWrites + m.unknownWrites;
    assert.ok(failed * 10 < writesFailed, `${failed} reads failed, ${writesFailed} writes failed`);
    assert.deepEqual(await leftovers(result.runId), []);
  });

  it('mysql-async-read-lag: stale reads from a replica 2 s behind are counted, with a lag of about the delay', async () => {
    const { result, code, resultPath } = await runDrillFile('drills/mysql-async-read-lag.yaml');
    assert.equal(code, 1, 'staleReads: 0 is expected to be missed');
    const reads = result.measured!.reads!;
    const { writes, reads: rows } = await histories(resultPath);
    const scratch = staleFromScratch(writes, rows, 20);
    assert.equal(reads.stale.count, scratch.count, 'drill and the test count the same stale reads');
    assert.ok(scratch.count > rows.length / 2, `only ${scratch.count} of ${rows.length} reads were stale`);
    // Before the primary is frozen (at 6 s), the replica's lag is its configured delay (2 s), give or
    // take: MariaDB applies an event once its timestamp, in whole seconds, + the delay has passed (up to
    // 1 s early), and its single applier works off each second's burst of events in turn (seen here:
    // up to ~0.8 s late, the lag swinging between ~1.5 and ~2.8 s). Tolerance: the median within 0.5 s
    // of the delay, every lag before the freeze within [delay − 1.1 s, delay + 1 s].
    // One exception, MariaDB's own: the replica learns its clock difference with the primary in whole
    // seconds when its I/O thread connects (SELECT UNIX_TIMESTAMP() there against its own time()), and
    // a connection within a few ms of a whole second can take one second off the delay it applies (CI
    // rehearsal I: connected at :27.0055, lags 0.95 s median). Near a whole second either delay holds.
    const configuredMs = 2000;
    const nearWholeSecond = await connectedNearWholeSecond(path.join(path.dirname(resultPath), 'logs', 'db-2.log'));
    const steady = scratch.lagsMs.filter((l) => l.atMs >= 1000 && l.atMs < 6000).map((l) => l.lagMs);
    assert.ok(steady.length > 100, `${steady.length} stale reads before the freeze`);
    const p50 = median(steady);
    const max = Math.max(...steady);
    const min = Math.min(...steady);
    const fits = (delayMs: number) => Math.abs(p50 - delayMs) <= 500 && max <= delayMs + 1000 && min >= delayMs - 1100;
    const delayMs = nearWholeSecond && !fits(configuredMs) ? configuredMs - 1000 : configuredMs;
    assert.ok(
      fits(delayMs),
      `stale lags before the freeze: median ${p50.toFixed(0)} ms, ${min.toFixed(0)}–${max.toFixed(0)} ms; delay ${configuredMs} ms${nearWholeSecond ? ' (or 1 s less: the replica connected near a whole second)' : ''}`,
    );
    // Reads from the replica did not notice the primary's freeze.
    assert.equal(reads.fail + reads.unknown, 0);
    assert.equal(result.objectives.find((o) => o.name === 'readRtoMs')!.met, true);
    process.stdout.write(
      `# stale reads ${scratch.count}/${rows.length}, lag before the freeze: median ${p50.toFixed(0)} ms, ${min.toFixed(0)}–${max.toFixed(0)} ms (delay ${delayMs} ms); drill's p50 ${reads.staleLagMs?.p50} ms\n`,
    );
  });

  it('mysql-read-your-writes: from a replica the own writes are missed (counted); through the primary they are not', async () => {
    const replica = await runDrillFile('drills/mysql-read-your-writes.yaml');
    const primary = await runDrillFile('drills/mysql-read-your-writes-primary.yaml');
    assert.equal(replica.code, 1, 'readYourWrites: 0 is expected to be missed from a replica');
    assert.equal(primary.code, 0, primary.result.reason ?? '');
    for (const run of [replica, primary]) {
      const { reads: rows } = await histories(run.resultPath);
      // From scratch: an ok own read that returned nothing or a version below its own write.
      const violations = rows.filter((r) => r.outcome === 'ok' && r.ownWriteId !== null && (r.version === null || r.version < r.ownWriteId)).length;
      assert.equal(run.result.measured!.reads!.readYourWrites.count, violations);
      assert.ok(rows.filter((r) => r.outcome === 'ok').length > 300, 'enough reads answered');
    }
    const violations = replica.result.measured!.reads!.readYourWrites.count;
    const okReads = replica.result.measured!.reads!.ok;
    // A replica 1 s behind misses nearly every write acknowledged within the last second.
    assert.ok(violations > okReads * 0.8, `${violations} violations in ${okReads} reads`);
    assert.equal(primary.result.measured!.reads!.readYourWrites.count, 0);
    process.stdout.write(`# read-your-writes violations: replica ${violations}/${okReads}, primary 0/${primary.result.measured!.reads!.ok}\n`);
  });

  it('redis-split-brain-reads: reads of the isolated old master see writes it later drops (dirty reads)', async () => {
    const { result, code, resultPath } = await runDrillFile('drills/redis-split-brain-reads.yaml');
    assert.equal(code, 1, 'dirtyReads: 0 is expected to be missed');
    const m = result.measured!;
    const dirty = m.reads!.dirty!;
    const { writes, reads: rows } = await histories(resultPath);
    // From scratch: an ok read whose version is one of this run's writes that is not in the data after recovery.
    const gone = new Set(writes.filter((w) => w.found === '0').map((w) => w.id));
    const dirtyRows = rows.filter((r) => r.outcome === 'ok' && r.version !== null && gone.has(r.version));
    assert.equal(dirty.count, dirtyRows.length);
    assert.ok(dirty.count > 50, `only ${dirty.count} dirty reads`);
    const fault = result.faults[0]!;
    for (const r of dirtyRows) assert.ok(r.invokeMs > fault.injectedAtMs, `dirty read ${r.seq} sent at ${r.invokeMs} ms, before the partition`);
    assert.ok(m.lostWrites! > 0);
    process.stdout.write(`# dirty reads ${dirty.count} (${dirty.ackedThenLost} of acknowledged-then-lost writes), lost writes ${m.lostWrites}\n`);
  });
});

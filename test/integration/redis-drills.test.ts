import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLocalPort } from '../../src/engine/resources.js';
import { PROBE_FIRST_ID } from '../../src/load/probe-ids.js';
import { FREEZER_ROOT } from '../../src/faults/container/freezer-warm.js';
import { leftovers, repoRoot, requireEngine, runDrillFile, tempDir } from './helpers.js';

// The Redis drills beyond the walking skeleton, each with an assertion that would catch a wrong answer.

/**
 * The true freeze lies between the pause taking effect (inside the pause call, by the engine's pause event
 * when there is one) and the thaw (inside the unpause call): the shortest it can have been is from that
 * event to the unpause call's start, the longest from the pause call's start to the unpause call's return.
 * The measured downtime must lie within its stated precision of that range. Both calls are timed, so no
 * allowance is guessed: a slow unpause on a loaded machine widens the range by exactly what it took.
 */
function assertDowntimeMatchesPause(
  downtimeMs: number,
  precisionMs: number,
  fault: { injectedAtMs: number; effectByMs?: number; injectReturnedAtMs: number; healedAtMs?: number; healReturnedAtMs?: number },
): void {
  assert.ok(fault.healedAtMs !== undefined && fault.healReturnedAtMs !== undefined, 'the pause was never healed');
  const shortestMs = fault.healedAtMs - (fault.effectByMs ?? fault.injectReturnedAtMs);
  const longestMs = fault.healReturnedAtMs - fault.injectedAtMs;
  assert.ok(
    downtimeMs >= shortestMs - precisionMs && downtimeMs <= longestMs + precisionMs,
    `downtime ${downtimeMs} ms ± ${precisionMs} ms vs the true freeze, between ${shortestMs.toFixed(1)} and ${longestMs.toFixed(1)} ms (pause and unpause calls included)`,
  );
}

describe('redis-pause-master-no-failover (calibration; the probe stream on by default)', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/redis-pause-master-no-failover.yaml');
  });

  it('measures a downtime equal to the pause within the stated precision', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(run.code, 0);
    const fault = result.faults[0]!;
    assert.equal(fault.kind, 'pause');
    assert.ok(fault.healedAtMs !== undefined, 'the pause was never healed');
    const m = result.measured!;
    assert.ok(m.downtimeMs !== null, m.notes.join(' | '));
    assertDowntimeMatchesPause(m.downtimeMs, m.precisionMs, fault);
    // A sanity bound, not a benchmark: on a busy 2-core machine the pause call alone can take ~100 ms (it is part of the precision).
    assert.ok(m.precisionMs < 250, `precision ${m.precisionMs} ms is too coarse to calibrate anything`);
    // As root on cgroup v1 (this machine's kind) the run kept an empty cgroup frozen through the pause, and
    // removed it in teardown (faults/container/freezer-warm.ts).
    assert.match(fault.effectEvidence ?? '', /freezer kept warm/);
    assert.deepEqual(
      readdirSync(FREEZER_ROOT).filter((n) => n.startsWith('drill-warm-')),
      [],
      'a warm freezer cgroup outlived its run',
    );
  });

  it('saw no failover: Sentinel never switched masters and the primary is unchanged', () => {
    const { result } = run;
    assert.equal(result.events.filter((e) => e.marker === 'switch-master').length, 0);
    assert.equal(result.stack.primaryAfter, result.stack.primaryBefore);
    assert.equal(result.measured!.lostWrites, 0);
    // Writes frozen in flight were applied after the unpause: unknown, then found present.
    assert.ok(result.measured!.recoveredWrites! > 0, 'no unknown write was found applied after the unpause');
  });

  it('with the probe stream (on by default): weighs its edges of the freeze, and the downtime still matches the pause', () => {
    const { result } = run;
    const m = result.measured!;
    const p = m.precision!;
    // How tight is a benchmark figure (bench/precision, README); here: the probe's edges were weighed, and
    // whichever bound was used holds against the true pause.
    assert.ok(
      m.notes.some((n) => n.startsWith('probe stream: ')),
      m.notes.join(' | '),
    );
    // The probe's edges stand alone (no queue term of the load's); the load's keep their own gap.
    const loadKept = m.notes.some((n) => /no tighter than the load's/.test(n));
    assert.ok(p.gapFrom === 'probe' ? p.queueMs === undefined && !loadKept : p.gapMs === p.loadGapMs, JSON.stringify(p));
    assertDowntimeMatchesPause(m.downtimeMs!, m.precisionMs, result.faults[0]!);
  });

  it('checks every probe write against the read-back and reports them apart from the declared load', async () => {
    const { result, resultPath } = run;
    const m = result.measured!;
    const probe = m.probe!;
    assert.ok(probe.sentWrites > 100, `only ${probe.sentWrites} probe writes`);
    assert.equal(probe.lostWrites, 0);
    assert.equal(probe.unexpectedWrites, 0);
    assert.equal(m.unexpectedWrites, 0);
    assert.equal(result.load.probe?.sentWrites, probe.sentWrites);
    // The declared load's figures are its own: no probe id among them, writes.csv holds none.
    const declared = (await readFile(path.join(path.dirname(resultPath), 'writes.csv'), 'utf8')).trim().split('\n').slice(1);
    assert.equal(declared.length, m.totalWrites);
    assert.ok(declared.every((line) => Number(line.split(',')[0]) < PROBE_FIRST_ID));
    const probes = (await readFile(path.join(path.dirname(resultPath), result.files!.probeWrites!.file), 'utf8')).trim().split('\n').slice(1);
    assert.equal(probes.length, probe.sentWrites);
    // Found after recovery: every acknowledged probe (1), none that failed outright.
    for (const line of probes) {
      const [id, , , outcome, found] = line.split(',');
      assert.ok(Number(id) >= PROBE_FIRST_ID, line);
      if (outcome === 'ok') assert.equal(found, '1', line);
      if (outcome === 'fail') assert.equal(found, '0', line);
    }
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('the calibration pause with the probe stream switched off (load.probe: false)', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    const shipped = await readFile(path.join(repoRoot, 'drills', 'redis-pause-master-no-failover.yaml'), 'utf8');
    const withoutProbe = shipped.replace(/^( {2}duration: \d+s)$/m, '$1\n  probe: false');
    assert.notEqual(withoutProbe, shipped, 'the shipped calibration drill changed: update this test');
    const file = path.join(await tempDir('probe'), 'pause-no-probe.yaml');
    await writeFile(file, withoutProbe);
    run = await runDrillFile(file);
  });

  it('sends no probe write, and the declared load alone still brackets the pause', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    const m = result.measured!;
    assert.equal(result.load.probe, null);
    assert.ok(!m.probe, JSON.stringify(m.probe));
    assert.equal(result.files!.probeWrites, undefined);
    assert.equal(m.precision!.gapFrom, 'load');
    assertDowntimeMatchesPause(m.downtimeMs!, m.precisionMs, result.faults[0]!);
    assert.ok(
      m.notes.every((n) => !n.startsWith('probe stream: ')),
      m.notes.join(' | '),
    );
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('redis-stop-replica', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/redis-stop-replica.yaml');
  });

  it('stops the replica Sentinel lists, with no client-visible outage and no loss', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    const fault = result.faults[0]!;
    assert.equal(fault.kind, 'stop');
    assert.notEqual(fault.container, result.stack.primaryBefore, 'stopped the primary instead of the replica');
    const m = result.measured!;
    assert.equal(m.rtoMs, 0);
    assert.equal(m.failedWrites + m.unknownWrites, 0);
    assert.equal(m.lostWrites, 0);
    assert.equal(result.stack.primaryAfter, result.stack.primaryBefore);
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('drill calibrate', () => {
  before(requireEngine);

  it('measures a known 800 ms freeze within its stated precision', async () => {
    const { runCli } = await import('./helpers.js');
    const run = await runCli(['calibrate', '--pause', '800ms', '--json', '--out', (await import('node:os')).tmpdir() + '/drill-calibrate-test']);
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    const [row] = JSON.parse(run.stdout.trim()) as {
      trueOutageMs: number;
      truthDoubtMs: number;
      pauseCallMs: number;
      thawAfterUnpauseMs: number;
      measuredDowntimeMs: number;
      errorMs: number;
      precisionMs: number;
      withinPrecision: boolean;
    }[];
    // The 800 ms count from the end of the pause call; the true outage runs from the freeze, inside that
    // call, to the thaw, inside the unpause call.
    assert.ok(
      row && row.trueOutageMs >= 800 - row.truthDoubtMs && row.trueOutageMs - 800 - row.pauseCallMs - row.thawAfterUnpauseMs < 50,
      `true outage ${row?.trueOutageMs} ms for an 800 ms pause (pause call ${row?.pauseCallMs} ms, thaw ${row?.thawAfterUnpauseMs} ms into the unpause call)`,
    );
    assert.ok(row.withinPrecision && Math.abs(row.errorMs) <= row.precisionMs + row.truthDoubtMs, JSON.stringify(row));
  });
});

/** Scrape drill's live metrics every 100 ms until stopped: each reading's values by series. */
function scrapeLive(port: number): { stop: () => Promise<Map<string, number>[]> } {
  const readings: Map<string, number>[] = [];
  const state = { stopped: false };
  const loop = (async () => {
    while (!state.stopped) {
      const body = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => null,
      );
      if (body?.includes('drill_writes{')) {
        const values = new Map<string, number>();
        for (const line of body.split('\n')) {
          if (line.startsWith('#') || line === '') continue;
          assert.match(line, /^drill_\w+\{[^}]*\} -?[\d.e+-]+$/, line);
          const at = line.lastIndexOf(' ');
          values.set(line.slice(0, at).replace(/drill="[^"]*",?/, ''), Number(line.slice(at + 1)));
        }
        readings.push(values);
      }
      await sleep(100);
    }
  })();
  return {
    stop: async () => {
      state.stopped = true;
      await loop;
      return readings;
    },
  };
}

describe('redis-kill-app', () => {
  it('keeps the declared rate while the app refuses connections, and measures the outage', async () => {
    await requireEngine();
    // The live metrics are read while it runs (--metrics-port): the outage and the fault show there too.
    const port = await freeLocalPort();
    const scraper = scrapeLive(port);
    const { result, code } = await runDrillFile('drills/redis-kill-app.yaml', ['--metrics-port', String(port)]);
    const readings = await scraper.stop();
    const ok = readings.map((r) => r.get('drill_writes{outcome="ok"}') ?? 0);
    assert.ok(readings.length > 50, `only ${readings.length} readings of the live metrics`);
    for (let i = 1; i < ok.length; i++) assert.ok(ok[i]! >= ok[i - 1]!, 'the live ok count went down');
    assert.ok(ok.at(-1)! <= result.measured!.ackedWrites && ok.at(-1)! > result.measured!.ackedWrites * 0.8, `live ok ${ok.at(-1)} vs ${result.measured!.ackedWrites} acked in all`);
    const outage = readings.filter((r) => r.get('drill_outage_active{}') === 1);
    assert.ok(outage.length > 5, 'the outage never showed in the live metrics');
    assert.ok(
      outage.some((r) => r.get('drill_fault_active{}') === 1),
      'no reading showed the fault in place during the outage',
    );
    const longest = Math.max(...outage.map((r) => r.get('drill_outage_seconds{}')!));
    // The live figure counts the declared load's writes between reads; the measured downtime may be the
    // probe stream's narrower one (a CI run: the load's connections hung up to 949 ms into the restarted
    // app, so the load recovered at 7,028.6 ms and the probe at 6,438.6). Compare like with like: the
    // load's own outage, from the first failure to its recovery write's answer.
    const m = result.measured!;
    assert.ok(m.recoveryWrite && m.firstFailureAtMs !== null && m.downtimeMs !== null, JSON.stringify(m));
    const loadOutageMs = m.recoveryWrite.invokeMs + m.recoveryWrite.latencyMs - m.firstFailureAtMs;
    const what = `live outage ${longest} s vs the load's ${loadOutageMs.toFixed(1)} ms (measured downtime ${m.downtimeMs} ms)`;
    assert.ok(Math.abs(longest * 1000 - loadOutageMs) < 600, what);
    assert.ok(m.downtimeMs <= loadOutageMs + m.precisionMs, what);
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(code, 0);
    const fault = result.faults[0]!;
    assert.equal(fault.kind, 'kill');
    assert.match(fault.container, /-app-1$/);
    assert.ok(fault.healedAtMs !== undefined, 'the app was never started again');
    // Refused connections are definite failures, and each write slot is one attempt: over the whole run
    // the offered load stays at the declared rate (no reconnect storm while the app is down).
    assert.ok(m.failedWrites > 300, `only ${m.failedWrites} failed writes for a 2 s outage at 300/s`);
    const expected = (result.load.rate * (result.load.warmupMs + result.load.durationMs)) / 1000;
    assert.ok(m.totalWrites < expected * 1.1, `${m.totalWrites} writes sent, declared ≈ ${expected}`);
    // The outage lasts from the kill until the app is up again (start call + Node start-up).
    assert.ok(m.downtimeMs >= fault.healedAtMs - fault.injectReturnedAtMs - m.precisionMs, `downtime ${m.downtimeMs} ms shorter than the outage`);
    assert.equal(m.lostWrites, 0);
    assert.deepEqual(await leftovers(result.runId), []);
  });
});

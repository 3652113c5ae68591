import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteOutcome, WriteRecord } from '../../src/load/history.js';
import { PROBE_FIRST_ID } from '../../src/load/probe-ids.js';
import { measure } from '../../src/measure/measure.js';
import { failureEdge, recoveryEdge, type ProbeNormal } from '../../src/measure/probe-edges.js';
import type { FaultRecord, MeasureInput } from '../../src/measure/types.js';

// The probe stream narrows the two edges of an outage inside the declared load's brackets, and never moves
// them out (docs/design.md "Probe stream").

/** Writes at the given invoke times, ids from firstId, latency 1 ms unless given. */
function writes(firstId: number, times: readonly number[], outcomeAt: (t: number) => WriteOutcome, latencyAt: (t: number) => number = () => 1): WriteRecord[] {
  return times.map((t, i) => ({ id: firstId + i, scheduledMs: t, invokeMs: t, completeMs: t + latencyAt(t), outcome: outcomeAt(t) }));
}

function every(fromMs: number, toMs: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) out.push(t);
  return out;
}

const FAULT: FaultRecord = { kind: 'pause', target: 'primary', container: 'drill-x-redis-1', injectedAtMs: 5000, injectReturnedAtMs: 5000.5 };
/** The system is out from 5000 ms to 6437 ms, exactly. */
const OUT = (t: number): WriteOutcome => (t >= 5000 && t < 6437 ? 'unknown' : 'ok');

/** A quiet host's probes: answered in 1-2 ms. */
const QUIET: ProbeNormal = { minLatencyMs: 1, p99LatencyMs: 2 };

function input(over: Partial<MeasureInput>): MeasureInput {
  return { history: [], faults: [FAULT], presentIds: null, stableMs: 1000, bucketMs: 100, timerResolutionMs: 1, ...over };
}

describe('probe stream: the edges of the outage', () => {
  // A declared load whose sends stalled during the outage: one every 250 ms from 4800 to 7000, then every 5 ms.
  const declared = writes(1, [...every(0, 4800, 5), ...every(4800, 7000, 250), ...every(7000, 12_000, 5)], OUT);
  const probes = writes(PROBE_FIRST_ID, every(4500, 8000, 5), OUT);

  it('without probes the load brackets the edges widely', () => {
    const m = measure(input({ history: declared }));
    assert.equal(m.recoveredAtMs, 6550);
    assert.equal(m.firstFailureAtMs, 5050);
    assert.equal(m.precision?.gapFrom, 'load');
    assert.equal(m.precision.gapMs, 250);
    assert.equal(m.probe, null);
  });

  it('with probes each edge is found to within the probe gap, inside the load bracket', () => {
    const m = measure(input({ history: declared, probeHistory: probes }));
    // The first ok probe after the last failed send: 6440 (probes every 5 ms: 6435 failed outright, 6440 ok,
    // answered at 6441 by a system whose fastest answer takes 1 ms: up in (6435, 6440]).
    assert.equal(m.recoveredAtMs, 6440);
    assert.equal(m.rtoMs, 1440);
    // The first failed probe after the load's last good send before its first failure (4800): 5000.
    assert.equal(m.firstFailureAtMs, 5000);
    assert.equal(m.downtimeMs, 1440);
    assert.deepEqual(m.precision, { gapMs: 5, gapFrom: 'probe', loadGapMs: 250, timerResolutionMs: 1, injectMs: 0.5 });
    assert.equal(m.precisionMs, 6.5);
    // The declared load's own figures keep their meaning: the probe's writes are counted apart.
    assert.equal(m.totalWrites, declared.length);
    assert.equal(m.probe?.sentWrites, probes.length);
    assert.equal(m.probe.unknownWrites, probes.filter((p) => p.outcome === 'unknown').length);
    assert.ok(
      m.notes.some((n) => /^probe stream: outage start at 5000 ms by probe write \d+ .*; recovery at 6440 ms by probe write \d+ \(the load said 6550 ms; bracket left 5 ms\)$/.test(n)),
      m.notes.join('\n'),
    );
  });

  it('the true outage lies within the stated precision of the probe-found edges', () => {
    const m = measure(input({ history: declared, probeHistory: probes }));
    assert.ok(Math.abs(m.downtimeMs! - (6437 - 5000)) <= m.precisionMs, `downtime ${m.downtimeMs} ± ${m.precisionMs} vs 1437`);
  });

  it('reads lost and unexpected probe writes from the same read-back, apart from the load', () => {
    const present = new Set<number>([
      ...declared.filter((w) => w.outcome === 'ok').map((w) => w.id),
      ...probes
        .filter((w) => w.outcome === 'ok')
        .map((w) => w.id)
        .slice(1),
    ]);
    const m = measure(input({ history: declared, probeHistory: probes, presentIds: present }));
    assert.equal(m.lostWrites, 0);
    assert.equal(m.unexpectedWrites, 0);
    assert.equal(m.probe?.lostWrites, 1);
    assert.deepEqual(m.probe.lostIds, [PROBE_FIRST_ID]);
    assert.equal(m.probe.unexpectedWrites, 0);
  });

  it('a slow first good probe counts from its ack minus the normal latency, never past the load bracket', () => {
    const slow = writes(
      PROBE_FIRST_ID,
      [6400, 6420, 6500],
      (t) => (t === 6400 ? 'unknown' : 'ok'),
      (t) => (t === 6420 ? 60 : 1),
    );
    const edge = recoveryEdge(slow, 6300, 6550, 6550, QUIET);
    assert.deepEqual(edge, { atMs: 6478, gapMs: 79, probeId: PROBE_FIRST_ID + 1, span: { fromMs: 6400, toMs: 6479, ackMs: 6480 } });
    assert.equal(recoveryEdge(slow, 6300, 6450, 6450, QUIET).atMs, 6450);
  });

  it('a frozen server that drains its backlog after the thaw: a timeout bounds recovery only from its send', () => {
    // Thawed at 6138, the server first works off the requests queued in the freeze: nothing is answered
    // before 6178 (as measured on a Redis master frozen 1.3 s). A probe sent at t times out at t + 250 unless
    // the drain reaches it; those sent from 5930 on are answered from 6180.
    const thawMs = 6138;
    const probes: WriteRecord[] = every(5500, 6300, 5).map((t, i) => {
      const answeredMs = Math.max(t + 2, 6180);
      const timedOut = answeredMs > t + 250;
      return { id: PROBE_FIRST_ID + i, scheduledMs: t, invokeMs: t, completeMs: timedOut ? t + 250 : answeredMs, outcome: timedOut ? 'unknown' : 'ok', ...(timedOut ? { error: 'timeout' } : {}) };
    });
    const edge = recoveryEdge(probes, 5000, 6400, 6400, QUIET);
    // Down when 5925 was sent (the last timeout), up by 6180 - 1 (the first answer): counted at 6180 - 2.
    assert.deepEqual(edge, { atMs: 6178, gapMs: 254, probeId: PROBE_FIRST_ID + (5930 - 5500) / 5, span: { fromMs: 5925, toMs: 6179, ackMs: 6180 } });
    // The thaw lies inside the stated bound. Reading the last timeout as "down until its send + 250 - 2"
    // would have put the lower bound at 6173, 35 ms after the thaw, and called the edge exact within 6 ms.
    assert.ok(edge.atMs - edge.gapMs <= thawMs && thawMs <= edge.atMs + edge.gapMs);
  });

  it('a drain after drill lifted the fault: recovery between the heal and the first ack after it, counted at the middle', () => {
    // The same freeze, thawed by drill at 6138 (the freezer's record): the first probe answered after the
    // thaw waited in the queue (sent 5930, answered 6180), so the system came back in [6138, 6180 - 1].
    const probes: WriteRecord[] = every(5500, 6300, 5).map((t, i) => {
      const answeredMs = Math.max(t + 2, 6180 + (t >= 5930 && t < 6180 ? (t - 5930) / 25 : 0));
      const timedOut = answeredMs > t + 250;
      return { id: PROBE_FIRST_ID + i, scheduledMs: t, invokeMs: t, completeMs: timedOut ? t + 250 : answeredMs, outcome: timedOut ? 'unknown' : 'ok', ...(timedOut ? { error: 'timeout' } : {}) };
    });
    const edge = recoveryEdge(probes, 5000, 6400, 6400, QUIET, 6138);
    assert.deepEqual(edge, {
      atMs: (6138 + 6179) / 2,
      gapMs: (6179 - 6138) / 2,
      probeId: PROBE_FIRST_ID + (5930 - 5500) / 5,
      span: { fromMs: 6138, toMs: 6179, ackMs: 6180 },
    });
    // A heal after the first ack (the system came back some other way, a failover) bounds nothing.
    assert.deepEqual(recoveryEdge(probes, 5000, 6400, 6400, QUIET, 6190), recoveryEdge(probes, 5000, 6400, 6400, QUIET));
    // Nor does it for a first good probe with a normal latency.
    const quick = writes(PROBE_FIRST_ID, [6400, 6420], (t) => (t === 6400 ? 'fail' : 'ok'));
    assert.deepEqual(recoveryEdge(quick, 6300, 6550, 6550, QUIET, 6410), recoveryEdge(quick, 6300, 6550, 6550, QUIET));
  });

  it('no probe decides an edge: it stays where the load put it, with what is left of the bracket', () => {
    const failing = writes(PROBE_FIRST_ID, [6400, 6420], () => 'fail');
    assert.deepEqual(recoveryEdge(failing, 6300, 6550, 6550, QUIET), { atMs: 6550, gapMs: 130, probeId: null, span: { fromMs: 6420, toMs: 6550, ackMs: 6550 } });
    const good = writes(PROBE_FIRST_ID, [4900, 4950], () => 'ok');
    assert.deepEqual(failureEdge(good, 4800, 5050), { atMs: 5050, gapMs: 100, probeId: null });
  });

  it("failed probes overrule the load's estimate when an overloaded host made its normal latency too large", () => {
    // Frozen 5000-6138 ms. The declared load's recovering write was sent during the freeze (5558), answered
    // at 6376; its "normal" latency on this host was 451 ms, so the load alone says 6376 - 451 = 5925.
    const frozen = (t: number): WriteOutcome => (t >= 5000 && t < 6138 ? 'unknown' : 'ok');
    const load = [...writes(1, every(0, 5000, 10), frozen, () => 451), { id: 501, scheduledMs: 5300, invokeMs: 5300, completeMs: 6300, outcome: 'unknown' as const }];
    load.push(
      { id: 502, scheduledMs: 5558, invokeMs: 5558, completeMs: 6376, outcome: 'ok' },
      ...writes(
        503,
        every(5600, 9000, 10),
        () => 'ok',
        () => 451,
      ),
    );
    const alone = measure(input({ history: load }));
    assert.equal(alone.recoveredAtMs, 5925);
    const m = measure(input({ history: load, probeHistory: writes(PROBE_FIRST_ID, every(4500, 7000, 5), frozen) }));
    assert.equal(m.recoveredAtMs, 6140);
    assert.equal(m.precision?.gapFrom, 'probe');
    assert.ok(Math.abs(m.recoveredAtMs - 6138) <= m.precision.gapMs + 1);
  });

  it('probes outside the outage (started late, stopped early) change nothing', () => {
    const late = writes(PROBE_FIRST_ID, every(9000, 9500, 5), () => 'ok');
    const m = measure(input({ history: declared, probeHistory: late }));
    assert.equal(m.recoveredAtMs, 6550);
    assert.equal(m.precision?.gapFrom, 'load');
  });
});

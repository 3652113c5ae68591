import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteRecord } from '../../src/load/history.js';
import { measure } from '../../src/measure/measure.js';
import { floorRecovery, type RecoveryFloor } from '../../src/measure/recovery-floor.js';
import type { FaultRecord, MeasureInput } from '../../src/measure/types.js';

const FAULT: FaultRecord = { kind: 'kill', target: 'primary', container: 'drill-x-db-1', injectedAtMs: 5000, injectReturnedAtMs: 5000.5 };

/**
 * A synchronous primary killed at 5000 and a standby promoted: writes sent every 5 ms fail fast until
 * 6000, then wait on the new primary's closed commit gate, which opens at 6480 (they are all answered at
 * 6481); normal latency 2 ms, every 20th 40 ms before the fault (p99 40, shortest 2).
 */
function gated(): WriteRecord[] {
  const out: WriteRecord[] = [];
  let id = 1;
  for (let t = 0; t < 9000; t += 5) {
    if (t < 5000) out.push({ id, scheduledMs: t, invokeMs: t, completeMs: t + (id % 20 === 0 ? 40 : 2), outcome: 'ok' });
    else if (t < 6000) out.push({ id, scheduledMs: t, invokeMs: t, completeMs: t + 1, outcome: 'fail' });
    else if (t < 6480) out.push({ id, scheduledMs: t, invokeMs: t, completeMs: 6481, outcome: 'ok' });
    else out.push({ id, scheduledMs: t, invokeMs: t, completeMs: t + 2, outcome: 'ok' });
    id++;
  }
  return out;
}

function input(over: Partial<MeasureInput> = {}): MeasureInput {
  return { history: gated(), faults: [FAULT], presentIds: null, stableMs: 1000, bucketMs: 100, timerResolutionMs: 1, ...over };
}

const floorAt = (atMs: number, sinceMs = 5000.5): RecoveryFloor => ({ atMs, sinceMs, why: 'db-2 logged "standby "db-3" is now a candidate for quorum synchronous standby"' });

describe('recovery floor: the system says when writes could be acknowledged again', () => {
  it('without it, the queued recovering write leaves ± its latency spread open', () => {
    const m = measure(input());
    // Queued: recovery between its ack minus the p99 (6441) and minus the shortest (6479), counted at the middle.
    assert.equal(m.recoveredAtMs, 6460);
    assert.equal(m.precision?.gapFrom, 'load');
    assert.equal(m.precision.queueMs, 19);
    assert.equal(m.precisionMs, 25.5); // load gap 5 + timer 1 + inject 0.5 + queue 19
  });

  it('a floor inside the span narrows recovery to [floor, upper], at its middle', () => {
    const m = measure(input({ recoveryFloor: floorAt(6478) }));
    assert.equal(m.recoveredAtMs, 6478.5); // (6478 + 6479) / 2
    assert.equal(m.rtoMs, 1478.5);
    assert.equal(m.precision?.gapFrom, 'system');
    assert.deepEqual(m.precision.floor, { atMs: 6478, why: floorAt(0).why });
    assert.equal(m.precisionMs, 2); // half the span 0.5 + timer 1 + inject 0.5
    assert.deepEqual(m.recoveryFloor, { atMs: 6478, why: floorAt(0).why, effect: 'narrowed' });
    // The true opening (6480) is inside the stated bound; the upper end assumed a normal answer after it.
    assert.ok(
      m.notes.some((n) => n.startsWith('recovery floor: db-2 logged')),
      m.notes.join('\n'),
    );
  });

  it('a floor between the upper end and the ack: a commit released by the gate is answered faster than a normal write', () => {
    const m = measure(input({ recoveryFloor: floorAt(6479.8) }));
    assert.equal(m.recoveredAtMs, 6480.4); // [6479.8, 6481]
    assert.ok(m.recoveredAtMs - m.precisionMs <= 6480 && 6480 <= m.recoveredAtMs + m.precisionMs);
  });

  it('a floor below the span, or of a gate closed after this recovery, changes nothing', () => {
    const plain = measure(input());
    for (const [floor, effect] of [
      [floorAt(6400), 'below'],
      [floorAt(6478.3, 7000), undefined],
    ] as const) {
      const m = measure(input({ recoveryFloor: floor }));
      assert.equal(m.recoveredAtMs, plain.recoveredAtMs);
      assert.equal(m.precisionMs, plain.precisionMs);
      assert.ok(!m.notes.some((n) => n.includes('recovery floor')), m.notes.join('\n'));
      assert.equal(m.recoveryFloor?.effect, effect);
    }
  });

  it('a write acknowledged before the floor contradicts it: not used, and said', () => {
    const m = measure(input({ recoveryFloor: floorAt(6490) }));
    assert.equal(m.recoveredAtMs, 6460);
    assert.equal(m.precision?.gapFrom, 'load');
    assert.equal(m.recoveryFloor?.effect, 'contradicted');
    assert.ok(
      m.notes.some((n) => /recovery floor not used: .* at 6490 ms, but a write was acknowledged at 6481 ms/.test(n)),
      m.notes.join('\n'),
    );
  });

  it("a declared write queued since the outage and answered before the first probe lowers the floored span's upper end", () => {
    // The load every 100 ms (its bracket 100 ms wide); probes every 2 ms: timed out until 6470, then
    // answered from 6530 on, behind the declared writes the gate released at 6481.
    const history = gated().filter((w) => w.invokeMs % 100 === 0);
    const probes: WriteRecord[] = [];
    for (let t = 1; t < 7000; t += 2) {
      const id = 9_000_000_000_000 + t;
      if (t < 5000) probes.push({ id, scheduledMs: t, invokeMs: t, completeMs: t + 3, outcome: 'ok' });
      else if (t <= 6470) probes.push({ id, scheduledMs: t, invokeMs: t, completeMs: t + 250, outcome: 'unknown' });
      else probes.push({ id, scheduledMs: t, invokeMs: t, completeMs: Math.max(t + 3, 6530), outcome: 'ok' });
    }
    const plain = measure(input({ history, probeHistory: probes }));
    assert.equal(plain.precision?.gapFrom, 'probe'); // [6470, 6527]: the probes' bracket
    const m = measure(input({ history, probeHistory: probes, recoveryFloor: floorAt(6478) }));
    // [6478, 6481 − the shortest answer of either stream (2)], not [6478, 6527].
    assert.equal(m.recoveredAtMs, 6478.5);
    assert.equal(m.precision?.gapFrom, 'system');
  });

  it('the per-event rows use it too', async () => {
    const { measureEventRows } = await import('../../src/measure/measure.js');
    const [row] = measureEventRows(input({ recoveryFloor: floorAt(6478) }), [{ kind: 'failover', step: 1, label: 'kill primary', startMs: 5000, endMs: 5000.5, injectMs: 0.5 }]);
    assert.equal(row?.recoveredAtMs, 6478.5);
  });
});

describe('floorRecovery', () => {
  const span = { fromMs: 100, toMs: 200, ackMs: 210 };
  it('narrows, widens to the ack above the upper end, and refuses what a write contradicts', () => {
    assert.deepEqual(floorRecovery(span, floorAt(150, 0)), { kind: 'narrowed', atMs: 175, gapMs: 25, fromMs: 150, toMs: 200 });
    assert.deepEqual(floorRecovery(span, floorAt(205, 0)), { kind: 'narrowed', atMs: 207.5, gapMs: 2.5, fromMs: 205, toMs: 210 });
    assert.deepEqual(floorRecovery(span, floorAt(100, 0)), { kind: 'below' });
    assert.deepEqual(floorRecovery(span, floorAt(210, 0)), { kind: 'contradicted' });
    assert.deepEqual(floorRecovery(span, floorAt(150, 300)), { kind: 'unrelated' });
  });

  it('an earlier ack of a write sent after the gate closed bounds the upper end, and contradicts a later floor', () => {
    const earliest = { ackMs: 180, minLatencyMs: 2 };
    assert.deepEqual(floorRecovery(span, floorAt(150, 0), earliest), { kind: 'narrowed', atMs: 164, gapMs: 14, fromMs: 150, toMs: 178 });
    assert.deepEqual(floorRecovery(span, floorAt(179, 0), earliest), { kind: 'narrowed', atMs: 179.5, gapMs: 0.5, fromMs: 179, toMs: 180 });
    assert.deepEqual(floorRecovery(span, floorAt(185, 0), earliest), { kind: 'contradicted' });
    // Later than the client's own bound: the client's stands.
    assert.deepEqual(floorRecovery(span, floorAt(150, 0), { ackMs: 260, minLatencyMs: 2 }), { kind: 'narrowed', atMs: 175, gapMs: 25, fromMs: 150, toMs: 200 });
  });
});

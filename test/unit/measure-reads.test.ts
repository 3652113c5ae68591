import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteRecord } from '../../src/load/history.js';
import type { ReadRecord } from '../../src/load/read-load.js';
import { evaluateObjectives } from '../../src/measure/objectives.js';
import { measureReads, type ReadsInput } from '../../src/measure/reads.js';
import type { Measured } from '../../src/measure/types.js';

const w = (id: number, completeMs: number, outcome: WriteRecord['outcome'] = 'ok'): WriteRecord => ({ id, scheduledMs: completeMs - 2, invokeMs: completeMs - 2, completeMs, outcome });
let seq = 0;
const r = (key: number, invokeMs: number, version: number | null, extra: Partial<ReadRecord> = {}): ReadRecord => ({
  seq: ++seq,
  key,
  scheduledMs: invokeMs,
  invokeMs,
  completeMs: invokeMs + 1,
  outcome: 'ok',
  version,
  ...extra,
});

const base = (over: Partial<ReadsInput>): ReadsInput => ({ reads: [], writes: [], keys: 10, presentIds: null, tFaultMs: null, injectMs: 0, stableMs: 100, timerResolutionMs: 1, ...over });

describe('measureReads', () => {
  it('counts a stale read: an older version than one acknowledged before the read was sent, with how long before', () => {
    // key 3: versions 3 (acked at 10), 13 (acked at 20), 23 (acked at 30)
    const writes = [w(3, 10), w(13, 20), w(23, 30)];
    const reads = [
      r(3, 25, 13), // newest acked before 25 is 13: fresh
      r(3, 35, 13), // 23 acked at 30 missed: stale, 5 ms behind
      r(3, 40, null), // nothing: stale, missed 3 (acked at 10) → 30 ms
      r(3, 5, null), // nothing acknowledged yet: not checkable
      r(3, 29, 3), // 13 acked at 20 missed; 23 not yet acked at 29: 9 ms
    ];
    const m = measureReads(base({ writes, reads }));
    assert.equal(m.checkedReads, 4);
    assert.equal(m.stale.count, 3);
    assert.deepEqual(
      m.stale.examples.map((a) => [a.atMs, a.read, a.expected, a.missedForMs]),
      [
        [29, 3, 13, 9],
        [35, 13, 23, 5],
        [40, null, 23, 30],
      ],
    );
    assert.equal(m.stale.firstAtMs, 29);
    assert.equal(m.stale.lastAtMs, 40);
    assert.deepEqual(m.staleLagMs, { p50: 9, max: 30 });
    assert.equal(m.notFound, 2);
  });

  it('a write acknowledged after the read was sent does not make it stale (it may or may not be seen)', () => {
    const m = measureReads(base({ writes: [w(1, 10), w(11, 50)], reads: [r(1, 40, 1)] }));
    assert.equal(m.stale.count, 0);
    assert.equal(m.checkedReads, 1);
  });

  it('counts read-your-writes violations on own reads only, and does not count them as stale', () => {
    const writes = [w(4, 10), w(14, 20)];
    const reads = [r(4, 21, 14, { ownWriteId: 14 }), r(4, 22, 4, { ownWriteId: 14 }), r(4, 23, null, { ownWriteId: 14 }), r(4, 24, 24, { ownWriteId: 14 })];
    const m = measureReads(base({ writes, reads }));
    assert.equal(m.readYourWrites.count, 2);
    assert.deepEqual(
      m.readYourWrites.examples.map((a) => [a.read, a.expected]),
      [
        [4, 14],
        [null, 14],
      ],
    );
    assert.equal(m.stale.count, 0);
  });

  it('counts dirty reads: versions not in the data after recovery, acknowledged-then-lost apart from never acknowledged', () => {
    const writes = [w(1, 10), w(11, 20), w(21, 30, 'unknown'), w(31, 40, 'fail')];
    const present = new Set([1]);
    const reads = [r(1, 25, 11), r(1, 35, 21), r(1, 45, 1), r(1, 46, 999)];
    const m = measureReads(base({ writes, reads, presentIds: present }));
    assert.equal(m.dirty!.count, 2);
    assert.equal(m.dirty!.ackedThenLost, 1);
    assert.equal(m.dirty!.neverAcked, 1);
    assert.equal(measureReads(base({ writes, reads })).dirty, null, 'no read-back: dirty reads cannot be told');
  });

  it("measures the reads' RTO and downtime by the rules of writes", () => {
    const reads: ReadRecord[] = [];
    for (let t = 0; t < 1000; t += 10) reads.push(r(1, t, 1, t >= 520 && t < 600 ? { outcome: 'fail', version: undefined } : {}));
    const m = measureReads(base({ reads, writes: [w(1, -5)], tFaultMs: 500 }));
    assert.equal(m.fail, 8);
    assert.equal(m.firstFailureAtMs, 520);
    assert.equal(m.recoveredAtMs, 600);
    assert.equal(m.rtoMs, 100);
    assert.equal(m.downtimeMs, 80);
  });

  it('feeds the read objectives, with the precision of the reads', () => {
    const reads = measureReads(base({ writes: [w(1, 1), w(11, 2)], reads: [r(1, 5, 1)], presentIds: new Set([1, 11]) }));
    const m = { precisionMs: 3, reads } as unknown as Measured;
    const results = evaluateObjectives({ unexpectedWrites: undefined, staleReads: 0, dirtyReads: 0, readYourWrites: 0, readRtoMs: 1000 } as never, m);
    const by = Object.fromEntries(results.map((o) => [o.name, o]));
    assert.equal(by.staleReads!.measured, 1);
    assert.equal(by.staleReads!.met, false);
    assert.equal(by.dirtyReads!.measured, 0);
    assert.equal(by.readYourWrites!.met, true);
    assert.equal(by.readRtoMs!.state, 'not-measured');
  });
});

describe('read events on the timeline', () => {
  it('marks the reads failing and recovering, and where each anomaly begins', async () => {
    const { eventsFromMeasured } = await import('../../src/measure/events.js');
    const reads: ReadRecord[] = [];
    for (let t = 0; t < 1000; t += 10) reads.push(r(1, t, 1, t >= 520 && t < 600 ? { outcome: 'fail', version: undefined } : {}));
    const measuredReads = measureReads(base({ reads, writes: [w(1, -5), w(11, 300)], tFaultMs: 500, presentIds: new Set([1, 11]) }));
    const events = eventsFromMeasured({ firstFailureAtMs: null, recoveredAtMs: null, reads: measuredReads } as unknown as Measured);
    assert.deepEqual(
      events.map((e) => [e.marker, e.atMs]),
      [
        ['reads-failed', 520],
        ['reads-recovered', 600],
        ['first-stale-read', 310],
      ],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteRecord } from '../../src/load/history.js';
import { eventsFromMeasured } from '../../src/measure/events.js';
import { measure } from '../../src/measure/measure.js';
import { buildTimeline, timelineRange } from '../../src/measure/timeline.js';

const w = (id: number, invokeMs: number, latencyMs: number, outcome: WriteRecord['outcome']): WriteRecord => ({
  id,
  scheduledMs: invokeMs,
  invokeMs,
  completeMs: invokeMs + latencyMs,
  outcome,
});

describe('buildTimeline', () => {
  it('counts by invoke time and gives ok-latency percentiles per bucket', () => {
    const history = [
      w(1, 5, 1, 'ok'),
      w(2, 50, 3, 'ok'),
      w(3, 99.9, 2, 'fail'), // bucket 0
      w(4, 100, 1000, 'unknown'),
      w(5, 150, 7, 'ok'), // bucket 1 (an unknown write's long completion does not move it)
      w(6, 250, 1, 'fail'), // bucket 2: no ok → null latency
      w(7, -5, 1, 'ok'),
      w(8, 300, 1, 'ok'), // outside [0, 300)
    ];
    const b = buildTimeline(history, 100, 0, 300);
    assert.equal(b.length, 3);
    assert.deepEqual(b[0], { startMs: 0, ok: 2, fail: 1, unknown: 0, p50Ms: 1, p99Ms: 3 });
    assert.deepEqual(b[1], { startMs: 100, ok: 1, fail: 0, unknown: 1, p50Ms: 7, p99Ms: 7 });
    assert.deepEqual(b[2], { startMs: 200, ok: 0, fail: 1, unknown: 0, p50Ms: null, p99Ms: null });
  });

  it('handles unsorted input, empty ranges and rejects absurd bucket counts', () => {
    const b = buildTimeline([w(2, 150, 1, 'ok'), w(1, 10, 1, 'ok')], 100, 0, 200);
    assert.deepEqual(
      b.map((x) => x.ok),
      [1, 1],
    );
    assert.deepEqual(buildTimeline([], 100, 0, 0), []);
    assert.throws(() => buildTimeline([], 0.001, 0, 1e9), RangeError);
    assert.throws(() => buildTimeline([], 0, 0, 10), RangeError);
  });

  it('timelineRange aligns to buckets and includes extra times', () => {
    assert.deepEqual(timelineRange([w(1, 130, 1, 'ok'), w(2, 2950, 1, 'ok')], 100), { fromMs: 100, toMs: 3000 });
    assert.deepEqual(timelineRange([w(1, 130, 1, 'ok')], 100, [-250, 5000]), { fromMs: -300, toMs: 5100 });
    assert.deepEqual(timelineRange([], 100), { fromMs: 0, toMs: 0 });
  });

  it('1200 buckets over 120k writes', () => {
    const history: WriteRecord[] = [];
    for (let i = 0; i < 120_000; i++) history.push(w(i + 1, i, (i % 10) + 1, i % 3 === 0 ? 'fail' : 'ok'));
    const range = timelineRange(history, 100);
    const b = buildTimeline(history, 100, range.fromMs, range.toMs);
    assert.equal(b.length, 1200);
    assert.equal(
      b.reduce((s, x) => s + x.ok + x.fail + x.unknown, 0),
      120_000,
    );
  });
});

describe('eventsFromMeasured', () => {
  it('gives first-failure and recovered markers from the measurement', () => {
    const history: WriteRecord[] = [];
    for (let t = 0; t < 10_000; t += 5) history.push(w(t + 1, t, 1, t >= 3000 && t < 4000 ? 'fail' : 'ok'));
    const m = measure({
      history,
      presentIds: null,
      stableMs: 1000,
      bucketMs: 100,
      timerResolutionMs: 1,
      faults: [{ kind: 'kill', target: 'primary', container: 'c', injectedAtMs: 3000, injectReturnedAtMs: 3000 }],
    });
    const events = eventsFromMeasured(m);
    assert.deepEqual(
      events.map((e) => [e.marker, e.atMs, e.source]),
      [
        ['first-failure', 3000, 'measure'],
        ['recovered', 4000, 'measure'],
      ],
    );
    assert.match(events[1]!.message, /RTO 1000 ms/);
  });

  it('gives nothing when no write failed', () => {
    const m = measure({ history: [w(1, 10, 1, 'ok')], presentIds: null, stableMs: 1000, bucketMs: 100, timerResolutionMs: 1, faults: [] });
    assert.deepEqual(eventsFromMeasured(m), []);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRunClock, measureEpochOffsetMs } from '../../src/util/clock.js';

// The run clock's link to the wall clock, on which the engine stamps its events and the nodes their rule
// changes: measured when the clock is made, to well under the 0.1 ms the figures are rounded to.

describe('run clock', () => {
  it('knows the wall clock to a fraction of a millisecond', () => {
    const offsets = Array.from({ length: 5 }, () => measureEpochOffsetMs());
    const spreadMs = Math.max(...offsets) - Math.min(...offsets);
    assert.ok(spreadMs < 0.5, `offsets ${offsets.join(', ')}: ${spreadMs} ms apart`);
    // Date.now() is the wall clock cut to the ms: it lies in [true − 1, true].
    const clock = createRunClock();
    const before = Date.now();
    const epochMs = clock.toEpochMs(clock.nowMs());
    const after = Date.now();
    assert.ok(epochMs >= before && epochMs < after + 1, `wall clock ${epochMs}, Date.now() ${before}…${after}`);
  });

  it('maps both ways, and keeps the mapping when the origin moves', () => {
    const clock = createRunClock();
    const epochMs = clock.toEpochMs(1234.5);
    assert.ok(Math.abs(clock.fromEpochMs(epochMs) - 1234.5) < 0.001, 'round trip through the wall clock');
    const wallNow = clock.toEpochMs(clock.nowMs());
    clock.setOriginNow(3000);
    assert.ok(Math.abs(clock.nowMs() + 3000) < 5, `now ${clock.nowMs()} ms, expected about −3000`);
    assert.ok(Math.abs(clock.toEpochMs(clock.nowMs()) - wallNow) < 5, 'the wall clock moved with the origin');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteRecord } from '../../src/load/history.js';
import { sortedOkLatencies, sortedOkResponseTimes, summarizeLatency } from '../../src/measure/latency.js';

describe('latency and response time of ok writes', () => {
  it('response time counts the wait for a free connection that latency hides (coordinated omission)', () => {
    // 100 writes scheduled every 10 ms, each answered in 2 ms; writes 90–99 waited 50 ms for a connection.
    const history: WriteRecord[] = Array.from({ length: 100 }, (_, i) => {
      const scheduledMs = i * 10;
      const invokeMs = scheduledMs + (i >= 90 ? 50 : 0);
      return { id: i, scheduledMs, invokeMs, completeMs: invokeMs + 2, outcome: 'ok' };
    });
    history.push({ id: 100, scheduledMs: 1000, invokeMs: 1000, completeMs: 1500, outcome: 'fail' });
    assert.deepEqual(summarizeLatency(sortedOkLatencies(history)), { p50: 2, p99: 2, max: 2 });
    // Worked by hand: 90 of 100 at 2 ms, 10 at 52 ms: p50 = 2, p99 (nearest rank 99) = 52, max 52.
    assert.deepEqual(summarizeLatency(sortedOkResponseTimes(history)), { p50: 2, p99: 52, max: 52 });
  });

  it('a write sent early (before its slot) is measured from its send, never negative', () => {
    const early: WriteRecord[] = [{ id: 1, scheduledMs: 10, invokeMs: 9, completeMs: 12, outcome: 'ok' }];
    assert.deepEqual([...sortedOkResponseTimes(early)], [3]);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteRecord } from '../../src/load/history.js';
import { stopConditionHolds } from '../../src/run/stop-conditions.js';

// A synthetic history: one write every 10 ms from t=0, ok before `failFromMs`, failing after it.
function history(untilMs: number, failFromMs: number, latencyMs = 2): WriteRecord[] {
  const out: WriteRecord[] = [];
  for (let t = 0, id = 1; t < untilMs; t += 10, id++) {
    const failing = t >= failFromMs;
    out.push({ id, scheduledMs: t, invokeMs: t, completeMs: t + (failing ? 1 : latencyMs), outcome: failing ? 'fail' : 'ok' });
  }
  return out;
}

const none = { errorRate: undefined, p99Latency: undefined, recoveryDeadlineMs: undefined };

describe('stop conditions', () => {
  it('error rate: holds only once the window is over the bound', () => {
    const spec = { ...none, errorRate: { above: 0.5, windowMs: 1000 } };
    const h = history(5000, 3000);
    assert.equal(stopConditionHolds(spec, h, 3200, 0, null, 1000), null, '20 % failing in the window is under the bound');
    assert.match(stopConditionHolds(spec, h, 3800, 0, null, 1000) ?? '', /error rate 8\d\.\d % > 50\.0 %/);
  });

  it('error rate: not before a whole window of load', () => {
    const spec = { ...none, errorRate: { above: 0.1, windowMs: 2000 } };
    assert.equal(stopConditionHolds(spec, history(1000, 0), 1000, 0, null, 1000), null);
  });

  it('p99 latency over the bound', () => {
    const spec = { ...none, p99Latency: { aboveMs: 50, windowMs: 1000 } };
    assert.equal(stopConditionHolds(spec, history(3000, 99_999, 2), 3000, 0, null, 1000), null);
    assert.match(stopConditionHolds(spec, history(3000, 99_999, 80), 3000, 0, null, 1000) ?? '', /p99 latency 80\.0 ms > 50 ms/);
  });

  it('recovery deadline: holds when writes failed and never recovered, not when they never failed', () => {
    const spec = { ...none, recoveryDeadlineMs: 1000 };
    assert.match(stopConditionHolds(spec, history(5000, 2000), 4000, 0, 2000, 1000) ?? '', /not recovered 1000 ms after the fault/);
    assert.equal(stopConditionHolds(spec, history(5000, 99_999), 4000, 0, 2000, 1000), null);
    assert.equal(stopConditionHolds(spec, history(5000, 2000), 2500, 0, 2000, 1000), null, 'deadline not reached yet');
  });
});

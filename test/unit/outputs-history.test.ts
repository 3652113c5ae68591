import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { WriteRecord } from '../../src/load/history.js';
import { renderHistoryCsv } from '../../src/outputs/write-history.js';

it('writes.csv: one line per write in send order, found 1/0, or empty when the data could not be read back', () => {
  const history: WriteRecord[] = [
    { id: 2, scheduledMs: 10, invokeMs: 10.04, completeMs: 12.26, outcome: 'ok' },
    { id: 1, scheduledMs: 0, invokeMs: 0, completeMs: 1.5, outcome: 'ok' },
    { id: 3, scheduledMs: 20, invokeMs: 20, completeMs: 1020, outcome: 'unknown', error: 'timeout' },
  ];
  assert.equal(renderHistoryCsv(history, new Set([1, 3])), 'id,invokeMs,completeMs,outcome,found\n1,0.0,1.5,ok,1\n2,10.0,12.3,ok,0\n3,20.0,1020.0,unknown,1\n');
  assert.match(renderHistoryCsv(history, null), /^2,10\.0,12\.3,ok,$/m);
  // About 30 bytes a write at run-clock times of a few seconds.
  const many: WriteRecord[] = Array.from({ length: 1000 }, (_, i) => ({ id: 100_000 + i, scheduledMs: i * 3.3, invokeMs: 5000 + i * 3.3, completeMs: 5001.2 + i * 3.3, outcome: 'ok' }));
  const bytes = renderHistoryCsv(many, new Set()).length / 1000;
  assert.ok(bytes > 20 && bytes < 40, `${bytes} bytes a write`);
});

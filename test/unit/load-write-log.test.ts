import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyHttp, classifySocketError } from '../../src/load/classify-response.js';
import { WriteLog } from '../../src/load/write-log.js';

test('WriteLog: ids are contiguous from firstId, each completes once, in-flight ones are left out', () => {
  const log = new WriteLog(100, 16);
  const a = log.begin(0, 0.5);
  const b = log.begin(5, 5.25);
  const c = log.begin(10, 10.5);
  assert.deepEqual([a, b, c], [100, 101, 102]);
  assert.equal(log.inFlight, 3);
  assert.equal(log.complete(b, 'fail', 6, 'ECONNREFUSED'), true);
  assert.equal(log.complete(b, 'ok', 7), false, 'a second completion is refused');
  assert.equal(log.complete(999, 'ok', 7), false, 'an id never sent is refused');
  assert.equal(log.complete(a, 'ok', 9), true);
  assert.deepEqual([log.ok, log.fail, log.unknown, log.inFlight], [1, 1, 0, 1]);
  assert.equal(log.isPending(c), true);
  assert.deepEqual(log.records(1000), [
    { id: 100, scheduledMs: 1000, invokeMs: 1000.5, completeMs: 1009, outcome: 'ok' },
    { id: 101, scheduledMs: 1005, invokeMs: 1005.25, completeMs: 1006, outcome: 'fail', error: 'ECONNREFUSED' },
  ]);
  assert.equal(log.get(c, 0), undefined);
});

test('WriteLog: grows past its initial capacity and keeps every value', () => {
  const log = new WriteLog(1, 16);
  for (let i = 0; i < 10_000; i++) {
    const id = log.begin(i, i + 0.25);
    log.complete(id, i % 3 === 0 ? 'unknown' : 'ok', i + 1, i % 3 === 0 ? 'timeout' : undefined);
  }
  const records = log.records(0);
  assert.equal(records.length, 10_000);
  const r = records[9_999];
  assert.deepEqual(r, { id: 10_000, scheduledMs: 9_999, invokeMs: 9_999.25, completeMs: 10_000, outcome: 'unknown', error: 'timeout' });
  assert.equal(log.unknown, 3_334);
});

test('WriteLog: records() is incremental across in-flight gaps and rebuilt when the offset changes', () => {
  const log = new WriteLog();
  const ids = [0, 1, 2, 3, 4].map((i) => log.begin(i, i));
  log.complete(ids[0]!, 'ok', 10);
  log.complete(ids[1]!, 'ok', 11);
  log.complete(ids[3]!, 'unknown', 13, 'timeout');
  const first = log.records(0);
  assert.deepEqual(
    first.map((r) => r.id),
    [1, 2, 4],
  );
  log.complete(ids[2]!, 'fail', 12, 'ECONNREFUSED');
  const second = log.records(0);
  assert.deepEqual(
    second.map((r) => [r.id, r.outcome]),
    [
      [1, 'ok'],
      [2, 'ok'],
      [3, 'fail'],
      [4, 'unknown'],
    ],
  );
  assert.equal(second[0], first[0], 'records below the oldest in-flight write are built once');
  assert.notEqual(second, first, 'a new array each call');
  second.pop();
  assert.equal(log.records(0).length, 4, "a caller's changes to its array do not leak");
  const moved = log.records(-100);
  assert.deepEqual(
    moved.map((r) => r.completeMs),
    [-90, -89, -88, -87],
  );
});

test('WriteLog: error texts are interned, truncated, and bounded', () => {
  const log = new WriteLog();
  for (let i = 0; i < 5_000; i++) log.complete(log.begin(0, 0), 'fail', 1, `http 503 message ${i}`);
  const errors = new Set(log.records(0).map((r) => r.error));
  assert.ok(errors.size <= 4096);
  assert.ok(errors.has('error text elided (too many distinct messages)'));
  const long = log.begin(0, 0);
  log.complete(long, 'unknown', 1, 'x'.repeat(1000));
  assert.ok((log.get(long, 0)?.error?.length ?? 0) <= 201);
});

test('classifyHttp: 2xx ok; the body decides fail vs unknown; unparseable is unknown', () => {
  assert.deepEqual(classifyHttp(200, '{"ok":true}'), { outcome: 'ok' });
  assert.deepEqual(classifyHttp(201, ''), { outcome: 'ok' });
  assert.deepEqual(classifyHttp(503, '{"outcome":"fail","error":"READONLY"}'), { outcome: 'fail', error: 'http 503 READONLY' });
  assert.deepEqual(classifyHttp(503, '{"outcome":"unknown","error":"ack lost"}'), { outcome: 'unknown', error: 'http 503 ack lost' });
  assert.deepEqual(classifyHttp(500, '<html>oops'), { outcome: 'unknown', error: 'http 500' });
  assert.deepEqual(classifyHttp(502, 'null'), { outcome: 'unknown', error: 'http 502' });
  assert.deepEqual(classifyHttp(404, '{"error":"no route"}'), { outcome: 'unknown', error: 'http 404 no route' });
});

test('classifySocketError: before connect fail, after connect unknown', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.deepEqual(classifySocketError(refused, false), { outcome: 'fail', error: 'ECONNREFUSED' });
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  assert.deepEqual(classifySocketError(reset, true), { outcome: 'unknown', error: 'ECONNRESET' });
  assert.deepEqual(classifySocketError(new Error('boom'), true), { outcome: 'unknown', error: 'boom' });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createReadLoad } from '../../src/load/read-load.js';
import { createRunClock } from '../../src/util/clock.js';

// The read load against a small local server that answers like the fixture app: key 0 found (version
// 7), key 1 not found, key 2 an error (503), key 3 no answer at all.
function server(): Promise<{ url: string; close: () => Promise<void>; paths: string[] }> {
  const paths: string[] = [];
  const s = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    const key = Number(/^\/read\/(\d+)/.exec(req.url ?? '')?.[1]);
    if (key === 3) return; // hangs: the read times out
    res.writeHead(key === 2 ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(key === 0 ? { found: true, version: 7 } : key === 1 ? { found: false, version: null } : { outcome: 'fail', error: 'READONLY' }));
  });
  return new Promise((resolve) => {
    s.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
        paths,
        close: () =>
          new Promise((done) => {
            s.closeAllConnections();
            s.close(() => {
              done();
            });
          }),
      });
    });
  });
}

describe('read load', () => {
  it('sends reads on schedule and records ok (with version or not found), fail and unknown', async () => {
    const srv = await server();
    let i = 0;
    const load = createReadLoad({
      urls: [srv.url],
      ratePerSec: 200,
      keys: 4,
      from: 'replica',
      pattern: 'any',
      timeoutMs: 150,
      connections: 64,
      clock: createRunClock(),
      random: () => (i++ % 4) / 4 + 0.01,
    });
    const startedMs = performance.now();
    load.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const ranMs = performance.now() - startedMs;
    await load.stop();
    await srv.close();
    const history = load.history();
    // 200/s: at most one read per 5 ms slot of the time it really ran (a busy machine fires the 400 ms
    // timer late, and the schedule keeps up meanwhile); it also starts the schedule late, so the lower
    // bound is loose.
    const slots = Math.ceil(ranMs / 5) + 2;
    assert.ok(history.length >= 30 && history.length <= slots, `${history.length} reads in ${ranMs.toFixed(0)} ms (at most ${slots})`);
    assert.ok(srv.paths.every((p) => p.endsWith('?from=replica')));
    for (const r of history) {
      const expected = [
        ['ok', 7],
        ['ok', null],
        ['fail', undefined],
        ['unknown', undefined],
      ][r.key]!;
      assert.deepEqual([r.outcome, r.version], expected, `read ${r.seq} of key ${r.key}`);
      // The timeout runs from the schedule: a read that waited for a free socket has less of it left once
      // sent. Node starts a timer from the event loop's cached time, which a busy loop leaves a few ms
      // behind the clock, so it may fire that much early: 10 % slack.
      if (r.error === 'timeout') assert.ok(r.completeMs - r.scheduledMs >= 135, `timed out after timeoutMs, not ${(r.completeMs - r.scheduledMs).toFixed(1)} ms`);
    }
    assert.equal(history.find((r) => r.key === 2)!.error, 'http 503 READONLY');
    const s = load.stats();
    assert.equal(s.ok + s.fail + s.unknown, history.length);
  });

  it('own reads read the key of the newest acknowledged write, and wait for the first one', async () => {
    const srv = await server();
    const acked: { latest?: number } = {};
    const load = createReadLoad({
      urls: [srv.url],
      ratePerSec: 200,
      keys: 4,
      from: 'primary',
      pattern: 'own',
      timeoutMs: 150,
      connections: 2,
      clock: createRunClock(),
      latestAckedWriteId: () => acked.latest,
    });
    load.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    acked.latest = 12; // key 0
    await new Promise((resolve) => setTimeout(resolve, 100));
    await load.stop();
    await srv.close();
    assert.ok(load.stats().skippedSlots > 5, 'slots before the first ack are skipped');
    assert.ok(load.history().length > 5);
    for (const r of load.history()) assert.deepEqual([r.key, r.ownWriteId], [0, 12]);
  });
});

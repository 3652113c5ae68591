import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WriteRecord } from '../../src/load/history.js';
import { createTrackedLoad } from '../../src/load/tracked-load.js';
import { createRunClock } from '../../src/util/clock.js';

type Action = 'ok' | 'fail' | 'unknown-body' | 'garbage' | 'hang' | 'destroy' | 'ok-close';

interface TestServer {
  url: string;
  received: Map<number, Action>;
  sockets: Set<string>;
  /** Most connections open at the same time. */
  maxOpen(): number;
  close(): Promise<void>;
}

/** A stand-in for the fixture app on 127.0.0.1:0 that does what `decide(id)` says, and logs what it received. */
async function startServer(decide: (id: number) => Action, answerDelayMs = 0): Promise<TestServer> {
  const received = new Map<number, Action>();
  const sockets = new Set<string>();
  const server = http.createServer((req, res) => {
    sockets.add(`${req.socket.remotePort}`);
    const id = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('id'));
    assert.equal(req.method, 'POST');
    assert.ok(Number.isSafeInteger(id) && id > 0, `bad id in ${req.url}`);
    assert.ok(!received.has(id), `id ${id} received twice`);
    const action = decide(id);
    received.set(id, action);
    const answer = (): void => {
      const json = (status: number, body: string, close = false): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) });
        res.end(body);
      };
      switch (action) {
        case 'ok': {
          json(200, '{"ok":true}');
          return;
        }
        case 'ok-close': {
          json(200, '{"ok":true}', true);
          return;
        }
        case 'fail': {
          json(503, '{"outcome":"fail","error":"READONLY"}');
          return;
        }
        case 'unknown-body': {
          json(503, '{"outcome":"unknown","error":"ack lost"}');
          return;
        }
        case 'garbage': {
          json(500, 'not json');
          return;
        }
        case 'hang':
          return;
        case 'destroy':
          req.socket.destroy();
          return;
      }
    };
    req.resume();
    req.on('end', () => {
      if (answerDelayMs > 0) setTimeout(answer, answerDelayMs);
      else answer();
    });
  });
  let open = 0;
  let maxOpen = 0;
  server.on('connection', (socket) => {
    maxOpen = Math.max(maxOpen, ++open);
    socket.on('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    sockets,
    maxOpen: () => maxOpen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Invariants of any history: ids 1..n unique and contiguous, one record each, times ordered, FIFO sends. */
function assertWellFormed(history: WriteRecord[], sentWrites: number): void {
  assert.equal(history.length, sentWrites, 'every sent write has exactly one record');
  history.forEach((w, i) => {
    assert.equal(w.id, i + 1, 'ids are 1..n, unique, sorted');
    assert.ok(w.scheduledMs <= w.invokeMs, `id ${w.id}: scheduled after invoke`);
    assert.ok(w.invokeMs <= w.completeMs, `id ${w.id}: completed before invoke`);
    if (i > 0) assert.ok(w.scheduledMs >= (history[i - 1]?.scheduledMs ?? 0), 'slots are sent oldest first');
  });
}

/** Most and fewest `times` in windows of windowMs aligned on the first time (the last, partial window counts only for max). */
function perWindow(times: number[], windowMs: number): { max: number; min: number } {
  const first = Math.min(...times);
  const last = Math.max(...times);
  const counts = new Array<number>(Math.floor((last - first) / windowMs) + 1).fill(0);
  for (const t of times) counts[Math.floor((t - first) / windowMs)]! += 1;
  const full = counts.slice(0, -1); // the last window is partial
  return { max: Math.max(...counts), min: full.length ? Math.min(...full) : 0 };
}

test('tracked load: outcomes match what the server did; ids unique; rate and spacing as declared', async () => {
  const decide = (id: number): Action => {
    if (id % 37 === 0) return 'hang';
    if (id % 41 === 0) return 'destroy';
    if (id % 10 === 3) return 'fail';
    if (id % 10 === 7) return 'unknown-body';
    if (id % 25 === 9) return 'garbage';
    return 'ok';
  };
  const server = await startServer(decide);
  const clock = createRunClock();
  const load = createTrackedLoad({ url: server.url, rate: 200, connections: 8, timeoutMs: 1000, clock });
  const live: WriteRecord[] = [];
  load.onComplete((w) => live.push(w));
  try {
    await load.start();
    await sleep(1000);
    clock.setOriginNow(); // the runner does this at the end of warm-up, under load
    await sleep(1000);
    const stopAt = performance.now();
    await load.stop();
    const stopMs = performance.now() - stopAt;
    assert.ok(stopMs < 1300, `stop() waits at most ~timeoutMs for in-flight writes (took ${stopMs} ms)`);

    const stats = load.stats();
    const history = load.history();
    assertWellFormed(history, stats.sentWrites);
    assert.equal(stats.inFlight, 0);
    assert.ok(Math.abs(history.length - 400) <= 40, `≈400 writes in 2 s at 200/s, got ${history.length}`);
    assert.equal(stats.ok + stats.fail + stats.unknown, history.length);

    for (const w of history) {
      const action = server.received.get(w.id);
      assert.ok(action !== undefined, `id ${w.id} was sent (${w.outcome} ${w.error}) but never received`);
      const expected = { ok: 'ok', 'ok-close': 'ok', fail: 'fail', 'unknown-body': 'unknown', garbage: 'unknown', hang: 'unknown', destroy: 'unknown' }[action];
      assert.equal(w.outcome, expected, `id ${w.id}: server did ${action}, recorded ${w.outcome} (${w.error})`);
      if (action === 'fail') assert.equal(w.error, 'http 503 READONLY');
      if (action === 'garbage') assert.equal(w.error, 'http 500');
      if (action === 'hang') {
        assert.equal(w.error, 'timeout');
        const waited = w.completeMs - w.invokeMs;
        assert.ok(waited >= 999 && waited < 1300, `timeout after ~timeoutMs, got ${waited}`);
      }
      if (action === 'destroy') assert.match(w.error ?? '', /connection closed before answer|ECONNRESET|EPIPE/);
    }
    assert.equal(server.received.size, history.length, 'the server received nothing we did not record');
    assert.ok(history.some((w) => server.received.get(w.id) === 'hang'));
    assert.ok(history.some((w) => server.received.get(w.id) === 'destroy'));

    // one origin for the whole history, across setOriginNow(): slots are exactly 5 ms apart
    for (let i = 1; i < history.length; i++) {
      const gap = history[i]!.scheduledMs - history[i - 1]!.scheduledMs;
      assert.ok(Math.abs(gap - 5) < 1e-6, `slot spacing 5 ms, got ${gap} at id ${history[i]!.id}`);
    }
    const beforeOrigin = history.filter((w) => w.invokeMs < 0).length;
    assert.ok(beforeOrigin > 150 && beforeOrigin < 250, `about half before the new origin, got ${beforeOrigin}`);

    // even arrival: no 100 ms window with more than 2× its share (20); none nearly empty either (autocannon's
    // overallRate would put a second's quota in one window). Loose on the low side: a busy CI box stalls timers.
    const invokes = history.map((w) => w.invokeMs);
    const { max, min } = perWindow(invokes, 100);
    assert.ok(max <= 40, `max ${max} sends in a 100 ms window`);
    assert.ok(min >= 5, `min ${min} sends in a 100 ms window`);
    const spanMs = Math.max(...invokes) - Math.min(...invokes);
    const achieved = ((history.length - 1) / spanMs) * 1000;
    assert.ok(Math.abs(achieved - 200) <= 20, `achieved ${achieved}/s`);
    assert.ok(stats.maxSendLagMs < 250, `max send lag ${stats.maxSendLagMs}`);

    // live completions: each write exactly once, same as the history (times on the origin at the time)
    assert.equal(live.length, history.length);
    assert.deepEqual(
      [...live].sort((a, b) => a.id - b.id).map((w) => [w.id, w.outcome, w.error]),
      history.map((w) => [w.id, w.outcome, w.error]),
    );
  } finally {
    await load.stop();
    await server.close();
  }
});

test('tracked load: busy connections → late sends from a bounded backlog; stop() leaves nothing in flight', async () => {
  const server = await startServer(() => 'ok', 300);
  const load = createTrackedLoad({ url: server.url, rate: 100, connections: 4, timeoutMs: 1000, clock: createRunClock() });
  try {
    await load.start();
    await sleep(1500);
    await load.stop();
    const stats = load.stats();
    const history = load.history();
    assertWellFormed(history, stats.sentWrites);
    assert.ok(history.every((w) => w.outcome === 'ok'));
    // capacity 4 connections / 0.3 s ≈ 13 writes/s against 100 slots/s
    assert.ok(stats.sentWrites >= 12 && stats.sentWrites <= 30, `sent ${stats.sentWrites}`);
    assert.ok(stats.lateSends >= stats.sentWrites - 5, `late ${stats.lateSends} of ${stats.sentWrites}`);
    assert.ok(stats.droppedSlots > 0, 'a full backlog (rate × timeout = 100) drops its oldest slots');
    assert.ok(stats.sentWrites + stats.droppedSlots <= 152, 'never more sends than slots');
    const lags = history.map((w) => w.invokeMs - w.scheduledMs);
    assert.ok(Math.max(...lags) > 250 && Math.abs(Math.max(...lags) - stats.maxSendLagMs) < 1e-9);
    assert.ok(Math.max(...lags) <= 1100, 'the backlog holds at most ~timeoutMs of slots');
    assert.equal(server.received.size, stats.sentWrites);
    assert.equal(server.sockets.size, 4, 'keep-alive: the 4 connections carry every write');
  } finally {
    await load.stop();
    await server.close();
  }
});

test('tracked load: server closing connections (Connection: close) → reconnect on the next slot; connections capped at the rate', async () => {
  const server = await startServer((id) => (id % 2 === 1 ? 'ok-close' : 'ok'));
  const load = createTrackedLoad({ url: server.url, rate: 20, connections: 50, timeoutMs: 1000, clock: createRunClock() });
  try {
    await load.start();
    await sleep(1000);
    await load.stop();
    const history = load.history();
    assertWellFormed(history, load.stats().sentWrites);
    assert.ok(Math.abs(history.length - 20) <= 2, `≈20 writes, got ${history.length}`);
    const bad = history.filter((w) => w.outcome !== 'ok');
    assert.deepEqual(bad, [], 'closed-after-answer connections cost no write');
    assert.ok(server.maxOpen() <= 20, `at most rate (20) connections open at once, saw ${server.maxOpen()}`);
    const closes = history.filter((w) => server.received.get(w.id) === 'ok-close').length;
    assert.ok(server.sockets.size > closes, 'a fresh connection after each close');
  } finally {
    await load.stop();
    await server.close();
  }
});

test('tracked load: abort stops sending at once; in-flight writes become unknown', async () => {
  const server = await startServer(() => 'hang');
  const controller = new AbortController();
  const load = createTrackedLoad({ url: server.url, rate: 50, connections: 5, timeoutMs: 5000, clock: createRunClock(), signal: controller.signal });
  try {
    await load.start();
    await sleep(300);
    controller.abort();
    const stopAt = performance.now();
    await load.stop();
    assert.ok(performance.now() - stopAt < 500, 'no waiting for in-flight writes after abort');
    const sent = load.stats().sentWrites;
    await sleep(200);
    assert.equal(load.stats().sentWrites, sent, 'nothing sent after abort');
    const history = load.history();
    assertWellFormed(history, sent);
    assert.equal(sent, 5, 'five connections, each stuck on its first write');
    assert.ok(history.every((w) => w.outcome === 'unknown' && w.error === 'aborted before answer'));

    const again = createTrackedLoad({ url: server.url, rate: 50, connections: 5, timeoutMs: 1000, clock: createRunClock(), signal: controller.signal });
    await assert.rejects(again.start());
    assert.equal(again.stats().sentWrites, 0);
  } finally {
    await load.stop();
    await server.close();
  }
});

test('tracked load: the app goes away and comes back → ok, then refused = fail at the same pace, then ok again', async () => {
  const received = new Set<number>();
  const handler: http.RequestListener = (req, res) => {
    received.add(Number(new URL(req.url ?? '/', 'http://x').searchParams.get('id')));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };
  const first = http.createServer(handler);
  await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
  const { port } = first.address() as AddressInfo;
  const clock = createRunClock();
  const load = createTrackedLoad({ url: `http://127.0.0.1:${port}`, rate: 200, connections: 8, timeoutMs: 1000, clock });
  const second = http.createServer(handler);
  try {
    await load.start();
    const startedAt = clock.nowMs();
    await sleep(500);
    first.closeAllConnections();
    first.close();
    const downAt = clock.nowMs();
    await sleep(500);
    await new Promise<void>((resolve) => second.listen(port, '127.0.0.1', resolve));
    const upAt = clock.nowMs();
    await sleep(500);
    const stoppedAt = clock.nowMs();
    await load.stop();
    const history = load.history();
    assertWellFormed(history, load.stats().sentWrites);
    // Slots from the time that really passed: a loaded machine stretches the sleeps.
    const slots = (stoppedAt - startedAt) / 5;
    assert.ok(Math.abs(history.length - slots) <= slots * 0.1, `≈${Math.round(slots)} writes (one per 5 ms slot), got ${history.length}`);
    const phases = history.map((w) => (w.outcome === 'ok' ? 'ok' : 'down'));
    const compact = phases.filter((p, i) => i === 0 || p !== phases[i - 1]);
    assert.deepEqual(compact, ['ok', 'down', 'ok'], 'one outage window, no flapping');
    const refused = history.filter((w) => w.error === 'ECONNREFUSED');
    const slotsDown = (upAt - downAt) / 5;
    assert.ok(refused.length <= slotsDown + 3, `no more attempts than slots: ${refused.length} refused in ${slotsDown} slots`);
    // At least most slots (a busy event loop lets a few pass): not one attempt per outage, nor a pause.
    assert.ok(refused.length >= slotsDown * 0.8 - 3, `one attempt per slot: ${refused.length} refused in ${slotsDown} slots`);
    const inside = history.filter((w) => w.invokeMs > downAt + 5 && w.invokeMs < upAt - 5);
    assert.ok(
      inside.every((w) => w.error === 'ECONNREFUSED'),
      'every write sent while the port was closed was refused',
    );
    assert.ok(
      refused.every((w) => w.outcome === 'fail' && !received.has(w.id)),
      'a refused write never reached the app',
    );
    const other = history.filter((w) => w.outcome !== 'ok' && w.error !== 'ECONNREFUSED');
    assert.ok(
      other.every((w) => w.outcome === 'unknown'),
      'writes cut off by the shutdown are unknown',
    );
    assert.ok(
      history.filter((w) => w.outcome === 'ok').every((w) => received.has(w.id)),
      'every ok id was received',
    );
  } finally {
    await load.stop();
    second.closeAllConnections();
    second.close();
  }
});

test('tracked load: options are validated', () => {
  const clock = createRunClock();
  const base = { url: 'http://127.0.0.1:1', rate: 10, connections: 1, timeoutMs: 1000, clock };
  assert.throws(() => createTrackedLoad({ ...base, timeoutMs: 49 }), RangeError);
  assert.throws(() => createTrackedLoad({ ...base, rate: 0 }), RangeError);
  assert.throws(() => createTrackedLoad({ ...base, connections: 0 }), RangeError);
  assert.throws(() => createTrackedLoad({ ...base, url: 'ftp://127.0.0.1:1' }), RangeError);
});

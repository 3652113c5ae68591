// PacedClient against a scripted stand-in for autocannon 8's Client, to drive the callback orders that are
// hard to provoke with real sockets (autocannon's timeout calls _connect() before emitting 'timeout', a
// silent reconnect on 'end', a send while a write is still open).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import type { WriteOutcome } from '../../src/load/history.js';
import { PacedClient, type PacedClientHooks } from '../../src/load/paced-client.js';

class FakeSocket extends EventEmitter {
  destroyed = false;
  destroy(): void {
    this.destroyed = true;
  }
}

/** Mirrors the control flow of lib/httpClient.js, without the network. */
class FakeClient extends EventEmitter {
  conn?: Socket;
  destroyed = false;
  connects = 0;
  written: string[] = [];
  parserResets = 0;
  parser = {
    initialize: (): void => {
      this.parserResets++;
    },
  };
  requestIterator = {
    currentRequest: {},
    nextRequest: (): unknown => assert.fail('autocannon must not rebuild requests'),
    recordBody: (_req: unknown, _status: number, _body: string, _headers: unknown): void => {},
  };
  timeoutTicker: { reschedule(ms?: number): void; clear(): void } = { reschedule() {}, clear() {} };
  _connect(): void {
    this.connects++;
    const socket = new FakeSocket();
    this.conn = socket as unknown as Socket;
    socket.on('error', (error: Error) => {
      this.emit('connError', error);
      if (!this.destroyed) this._connect();
    });
    socket.on('end', () => {
      if (!this.destroyed) this._connect();
    });
    this._doRequest();
  }
  _doRequest(): void {
    if (this.written.length > 0) this.requestIterator.nextRequest();
    this.written.push(this.getRequestBuffer().toString());
    this.timeoutTicker.reschedule(1000);
  }
  _destroyConnection(): void {
    const socket = this.conn as unknown as FakeSocket;
    socket.removeAllListeners('error');
    socket.removeAllListeners('end');
    socket.destroy();
  }
  getRequestBuffer(): Buffer {
    return Buffer.from('autocannon default request');
  }
  destroy(): void {
    if (!this.destroyed) {
      this.destroyed = true;
      this.timeoutTicker.clear();
      this._destroyConnection();
    }
  }
  /** What the parser does when a response completes. */
  respond(status: number, body: string): void {
    this.requestIterator.recordBody({}, status, body, []);
    this.emit('response', status, body.length, 1);
    this._doRequest();
  }
  socket(): FakeSocket {
    return this.conn as unknown as FakeSocket;
  }
}

interface Harness {
  fake: FakeClient;
  paced: PacedClient;
  done: Map<number, { outcome: WriteOutcome; error?: string }>;
  idleCalls: number;
}

function setup(): Harness {
  const fake = new FakeClient();
  const done = new Map<number, { outcome: WriteOutcome; error?: string }>();
  let nextId = 1;
  const h: Harness = { fake, paced: undefined as unknown as PacedClient, done, idleCalls: 0 };
  const hooks: PacedClientHooks = {
    now: () => 0,
    timeoutMs: 60_000,
    requestFor: (id) => Buffer.from(`POST /write?id=${id}`),
    begin: () => nextId++,
    complete(id, outcome, _at, error) {
      assert.ok(!done.has(id), `id ${id} completed twice`);
      done.set(id, { outcome, ...(error ? { error } : {}) });
    },
    idle: () => {
      h.idleCalls++;
    },
  };
  // as in the Client constructor: setupClient(this), then the ticker, then _connect()
  h.paced = new PacedClient(fake, hooks);
  let retimerCleared = false;
  fake.timeoutTicker = { reschedule() {}, clear: () => void (retimerCleared = true) };
  assert.ok(retimerCleared, "autocannon's own retimer is cleared as soon as it is created");
  fake._connect();
  return h;
}

test('PacedClient: construction opens no socket; a slot does, and sends our request', () => {
  const h = setup();
  assert.equal(h.fake.connects, 0, 'no socket before a slot');
  assert.equal(h.idleCalls, 1, 'offered to the pacer as idle');
  assert.equal(h.paced.send(5), true);
  assert.equal(h.fake.connects, 1);
  assert.deepEqual(h.fake.written, ['POST /write?id=1']);
  h.fake.respond(200, '{"ok":true}');
  assert.deepEqual(h.done.get(1), { outcome: 'ok' });
  assert.equal(h.idleCalls, 2, 'idle again after the answer');
  h.paced.send(10);
  assert.equal(h.fake.connects, 1, 'keep-alive: same socket');
  assert.deepEqual(h.fake.written, ['POST /write?id=1', 'POST /write?id=2']);
  h.fake.respond(503, '{"outcome":"fail","error":"READONLY"}');
  assert.deepEqual(h.done.get(2), { outcome: 'fail', error: 'http 503 READONLY' });
});

test("PacedClient: autocannon's timeout order (_connect() before 'timeout') completes the write once, reconnects lazily", () => {
  const h = setup();
  h.paced.send(0);
  // lib/httpClient.js handleTimeout: _destroyConnection(); reschedule(); _connect(); emit('timeout')
  h.fake._destroyConnection();
  h.fake._connect();
  h.fake.emit('timeout');
  assert.deepEqual(h.done.get(1), { outcome: 'unknown', error: 'connection closed before answer' });
  assert.equal(h.fake.connects, 1, 'no reconnect without a slot');
  assert.equal(h.fake.parserResets, 1, 'parser reset with the socket');
  h.paced.send(5);
  assert.equal(h.fake.connects, 2);
  assert.equal(h.done.size, 1);
});

test("PacedClient: server 'end' with a write open → unknown; refused before connect → fail; reset after → unknown", () => {
  const h = setup();
  h.paced.send(0);
  h.fake.socket().emit('end');
  assert.deepEqual(h.done.get(1), { outcome: 'unknown', error: 'connection closed before answer' });
  assert.equal(h.fake.connects, 1, "autocannon's silent reconnect is suppressed");

  h.paced.send(5);
  h.fake.socket().emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
  assert.deepEqual(h.done.get(2), { outcome: 'fail', error: 'ECONNREFUSED' });
  assert.equal(h.fake.connects, 2, 'one attempt per slot');

  h.paced.send(10);
  h.fake.socket().emit('connect');
  h.fake.socket().emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
  assert.deepEqual(h.done.get(3), { outcome: 'unknown', error: 'ECONNRESET' });
});

test('PacedClient: a send while a write is still open closes that write as unknown; close() settles the rest', () => {
  const h = setup();
  h.paced.send(0);
  h.paced.send(5);
  assert.deepEqual(h.done.get(1), { outcome: 'unknown', error: 'connection closed before answer' });
  assert.equal(h.paced.busy, true);
  h.paced.close('stopped before answer');
  assert.deepEqual(h.done.get(2), { outcome: 'unknown', error: 'stopped before answer' });
  assert.equal(h.fake.destroyed, true);
  assert.equal(h.paced.send(10), false, 'a closed client takes no slot');
  h.fake.respond(200, '{"ok":true}');
  assert.equal(h.done.size, 2, 'a late answer changes nothing');
});

test('PacedClient: destroy() on a client that never had a socket does not throw', () => {
  const h = setup();
  h.paced.close('stopped before answer');
  assert.equal(h.fake.destroyed, true);
  assert.equal(h.done.size, 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pacer } from '../../src/load/pacer.js';

interface Conn {
  name: string;
}

test('Pacer: evenly spaced slots at the declared rate, to idle connections', async () => {
  const sends: { slotMs: number; atMs: number }[] = [];
  const pacer: Pacer<Conn> = new Pacer<Conn>({
    ratePerSec: 500,
    maxBacklog: 100,
    now: () => performance.now(),
    send(conn, slotMs) {
      sends.push({ slotMs, atMs: performance.now() });
      setImmediate(() => {
        pacer.release(conn);
      }); // answers at once
      return true;
    },
  });
  // 50 idle connections: a timer that fires up to 100 ms late (a loaded 2-core CI host) finds enough idle
  // connections for every slot that fell due meanwhile, so none has to wait in the backlog (a late send).
  for (let i = 0; i < 50; i++) pacer.release({ name: `c${String(i)}` });
  const startedMs = performance.now();
  pacer.start();
  assert.equal(sends.length, 1, 'slot 0 goes out inside start()');
  await sleep(600);
  pacer.stop();
  // Slots from the time that really passed (a busy machine wakes the sleep late).
  const slots = (performance.now() - startedMs) / 2;
  const n = sends.length;
  assert.ok(n >= slots * 0.9 && n <= slots + 2, `~${Math.round(slots)} slots at 500/s, got ${n}`);
  for (let i = 1; i < n; i++) assert.ok(Math.abs((sends[i]?.slotMs ?? 0) - (sends[i - 1]?.slotMs ?? 0) - 2) < 1e-6, 'slots are exactly 1/rate apart');
  for (const s of sends) assert.ok(s.atMs - s.slotMs < 100, `sent within 100 ms of its slot (lag ${s.atMs - s.slotMs})`);
  assert.equal(pacer.lateSends, 0);
  await sleep(20);
  assert.equal(sends.length, n, 'nothing after stop()');
});

test('Pacer: busy connections → bounded backlog, oldest first, older slots dropped and counted', async () => {
  const sends: { conn: Conn; slotMs: number }[] = [];
  const pacer = new Pacer<Conn>({
    ratePerSec: 1000,
    maxBacklog: 10,
    now: () => performance.now(),
    send(conn, slotMs) {
      sends.push({ conn, slotMs });
      return true; // and never answers by itself
    },
  });
  const a = { name: 'a' };
  pacer.release(a);
  pacer.start();
  // stop() in finally: a failed assertion must not leave the pacer's timer keeping the test process alive.
  try {
    await sleep(100);
    assert.equal(sends.length, 1);
    assert.equal(pacer.backlogSize, 10);
    assert.ok(pacer.droppedSlots >= 70, `most slots of 100 ms at 1000/s dropped, got ${pacer.droppedSlots}`);
    // Drain the backlog with no tick in between: oldest first, and the oldest kept is at most maxBacklog
    // slots older than the newest (measured between the slots themselves, not against the wall clock,
    // which a busy machine moves on between ticks).
    for (let i = 0; i < 10; i++) pacer.release(a);
    assert.equal(sends.length, 11);
    assert.equal(pacer.lateSends, 10);
    assert.equal(pacer.backlogSize, 0);
    const drained = sends.slice(1).map((x) => x.slotMs);
    assert.ok(
      drained.every((slot, i) => i === 0 || slot > drained[i - 1]!),
      'backlog drains oldest first',
    );
    assert.ok(drained.at(-1)! - drained[0]! <= 9 + 1e-6, `the backlog holds at most maxBacklog consecutive slots: ${drained.join(', ')}`);
    assert.ok(drained[0]! - sends[0]!.slotMs >= 70, 'the slots in between were dropped');
  } finally {
    pacer.stop();
  }
  assert.equal(pacer.backlogSize, 0);
});

test('Pacer: a connection that can no longer send is forgotten, the slot goes to the next', () => {
  const got: string[] = [];
  const pacer = new Pacer<Conn>({
    ratePerSec: 1,
    maxBacklog: 5,
    now: () => performance.now(),
    send(conn) {
      if (conn.name === 'dead') return false;
      got.push(conn.name);
      return true;
    },
  });
  pacer.release({ name: 'dead' });
  pacer.release({ name: 'live' });
  pacer.start();
  pacer.stop();
  assert.deepEqual(got, ['live']);
});

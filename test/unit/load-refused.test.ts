import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTrackedLoad } from '../../src/load/tracked-load.js';
import { createRunClock } from '../../src/util/clock.js';

/** A 127.0.0.1 port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('refused connections: offered load stays at the declared rate, each attempt one fail, no spinning', async () => {
  const port = await closedPort();
  // plain autocannon here would reconnect without backoff: tens of thousands of attempts a second
  const load = createTrackedLoad({ url: `http://127.0.0.1:${port}`, rate: 200, connections: 16, timeoutMs: 1000, clock: createRunClock() });
  await load.start();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await sleep(2000);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - wallBefore;
  await load.stop();

  const stats = load.stats();
  const history = load.history();
  assert.equal(history.length, stats.sentWrites);
  assert.ok(Math.abs(history.length - 400) <= 40, `≈400 attempts in 2 s at 200/s, got ${history.length}`);
  history.forEach((w, i) => {
    assert.equal(w.id, i + 1);
  });
  const notRefused = history.filter((w) => w.outcome !== 'fail' || w.error !== 'ECONNREFUSED');
  assert.deepEqual(notRefused, [], 'every attempt is a fail: ECONNREFUSED');
  assert.equal(stats.fail, history.length);
  assert.equal(stats.droppedSlots, 0);
  const cpuShare = (cpu.user + cpu.system) / 1000 / wallMs;
  // A reconnect loop without backoff takes a whole core. 200 refused attempts a second measured 31–36 % of
  // a core here (the same before and after the last changes to the load), so 35 % was a coin toss; 60 %
  // still catches a spin.
  assert.ok(cpuShare < 0.6, `the process must not spin: ${(cpuShare * 100).toFixed(1)} % of a core`);
});

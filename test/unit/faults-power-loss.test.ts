import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunningContainer } from '../../src/engine/resources.js';
import type { FaultContext } from '../../src/faults/plugin.js';
import { powerLoss } from '../../src/faults/power-loss.js';
import type { Stack } from '../../src/stacks/stack.js';
import { createLogger } from '../../src/util/log.js';

// The power-loss fault's logic with a fake engine: it refuses nodes on a plain disk (a kill there is not
// power loss), kills every node it names, and gives the power back one node at a time, lowest address
// first, so that each gets its own address back. The real thing: test/integration/power-loss.test.ts.

const node = (n: number, ip: string, lazyDisk: boolean): RunningContainer => ({
  id: `c${n}`,
  node: `redis-${n}`,
  name: `drill-x-redis-${n}`,
  role: 'redis',
  image: 'drill/redis',
  ip,
  ports: {},
  ...(lazyDisk ? { lazyDisk: true } : {}),
});

function fakeContext(primary: RunningContainer, replicas: RunningContainer[]) {
  const calls: string[] = [];
  let now = 0;
  const docker = {
    getContainer: (id: string) => ({
      kill: () => {
        calls.push(`kill ${id}`);
        return Promise.resolve();
      },
      start: () => {
        calls.push(`start ${id}`);
        return Promise.resolve();
      },
      inspect: () => {
        const c = [primary, ...replicas].find((x) => x.id === id)!;
        return Promise.resolve({ State: { FinishedAt: '0001-01-01T00:00:00Z' }, NetworkSettings: { Networks: { net: { IPAddress: c.ip } } } });
      },
    }),
  };
  const stack = { network: 'net', containers: [primary, ...replicas], primary: () => Promise.resolve(primary), replicas: () => Promise.resolve(replicas) } as unknown as Stack;
  const notes: string[] = [];
  const ctx = {
    docker,
    stack,
    clock: { nowMs: () => (now += 1), toEpochMs: (ms: number) => ms, fromEpochMs: (ms: number) => ms },
    log: createLogger({ level: 'silent', pretty: false }),
    engineEvents: null,
    note: (e: { message: string }) => notes.push(e.message),
  } as unknown as FaultContext;
  return { ctx, calls, notes };
}

describe('power-loss fault', () => {
  it('refuses a node whose data is on a plain disk, and touches nothing', async () => {
    const { ctx, calls } = fakeContext(node(1, '10.0.0.3', true), [node(2, '10.0.0.2', false)]);
    await assert.rejects(
      powerLoss.inject(ctx, { kind: 'fault', fault: 'power-loss', atMs: 0, target: 'primary+replicas', nodes: ['primary', 'replicas'], durationMs: 100 }),
      /drill-x-redis-2 keep their data on a plain disk/,
    );
    assert.deepEqual(calls, []);
  });

  it('kills every node named, and gives the power back lowest address first', async () => {
    const { ctx, calls } = fakeContext(node(1, '10.0.0.10', true), [node(2, '10.0.0.9', true), node(3, '10.0.0.11', true)]);
    const fault = await powerLoss.inject(ctx, { kind: 'fault', fault: 'power-loss', atMs: 0, target: 'primary+replicas', nodes: ['primary', 'replicas'], durationMs: 60_000 });
    assert.deepEqual(calls.sort(), ['kill c1', 'kill c2', 'kill c3']);
    assert.equal(fault.record.container, 'drill-x-redis-1, drill-x-redis-2, drill-x-redis-3');
    calls.length = 0;
    await fault.heal();
    assert.deepEqual(calls, ['start c2', 'start c1', 'start c3'], '10.0.0.9 before 10.0.0.10 before 10.0.0.11 (numeric, not text, order)');
  });
});

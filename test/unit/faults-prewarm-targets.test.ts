import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunningContainer } from '../../src/engine/resources.js';
import { helperNodes } from '../../src/faults/network/prewarm.js';
import type { FaultContext } from '../../src/faults/plugin.js';
import type { FaultStepSpec } from '../../src/spec/schema.js';
import type { Stack } from '../../src/stacks/stack.js';
import { createLogger } from '../../src/util/log.js';

// Which nodes get a network helper during the warm-up: only those the drill's network faults act in, as
// the stack resolves their roles now, or every node when a fault reaches wider or a role cannot be
// resolved. The real warm-up and faults: test/integration/network-faults.test.ts and lb.test.ts.

const node = (name: string, role: string, gateway?: string): RunningContainer => ({
  id: `id-${name}`,
  node: name,
  name: `drill-x-${name}`,
  role,
  image: 'drill/redis',
  ip: '10.0.0.9',
  ports: { 6379: 1 },
  ...(gateway ? { gateway } : {}),
});

const redis1 = node('redis-1', 'redis', '10.0.0.1');
const redis2 = node('redis-2', 'redis');
const sentinels = [node('sentinel-1', 'sentinel'), node('sentinel-2', 'sentinel')];
const app = node('app-1', 'app');
const everyone = [redis1, redis2, ...sentinels, app];

function context(primary: () => Promise<RunningContainer>): FaultContext {
  const stack = { kind: 'redis-sentinel', containers: everyone, primary, replicas: () => Promise.resolve([redis2]) } as unknown as Stack;
  return { stack, log: createLogger({ level: 'silent', pretty: false }) } as unknown as FaultContext;
}

const partition = (groups: string[][]): FaultStepSpec => ({ kind: 'fault', fault: 'partition', atMs: 1000, target: 'groups', groups, oneWay: false, durationMs: undefined });
const names = (list: RunningContainer[]) => list.map((c) => c.node).sort();

describe('network helpers started ahead of the fault', () => {
  it('a partition: its groups’ nodes only, roles resolved now, drill itself (runner) left out', async () => {
    const ctx = context(() => Promise.resolve(redis1));
    assert.deepEqual(names(await helperNodes(ctx, [partition([['primary'], ['replicas', 'runner']])], everyone)), ['redis-1', 'redis-2']);
    assert.deepEqual(names(await helperNodes(ctx, [partition([['redis-2'], ['sentinels']])], everyone)), ['redis-2', 'sentinel-1', 'sentinel-2']);
  });

  it('several faults: the union of their nodes', async () => {
    const ctx = context(() => Promise.resolve(redis1));
    const latency = { kind: 'fault', fault: 'latency', atMs: 0, target: 'redis-2', delayMs: 100, jitterMs: 0, from: ['app-1'], condition: false, durationMs: undefined } as FaultStepSpec;
    assert.deepEqual(names(await helperNodes(ctx, [partition([['primary'], ['sentinel-1']]), latency], everyone)), ['app-1', 'redis-1', 'redis-2', 'sentinel-1']);
  });

  it('isolate and loss reach every other node or a peer of their own: every node', async () => {
    const ctx = context(() => Promise.resolve(redis1));
    const isolate = { kind: 'fault', fault: 'isolate', atMs: 0, target: 'redis-2', durationMs: 500 } as FaultStepSpec;
    const loss = { kind: 'fault', fault: 'loss', atMs: 0, target: 'redis-2', between: undefined, percent: 30, durationMs: 500 } as FaultStepSpec;
    assert.deepEqual(names(await helperNodes(ctx, [partition([['redis-1'], ['redis-2']]), isolate], everyone)), names(everyone));
    assert.deepEqual(names(await helperNodes(ctx, [loss], everyone)), names(everyone));
  });

  it('a role the stack cannot resolve now: every node (the fault resolves it again at its time)', async () => {
    const ctx = context(() => Promise.reject(new Error('no master right now')));
    assert.deepEqual(names(await helperNodes(ctx, [partition([['primary'], ['replicas']])], everyone)), names(everyone));
  });
});

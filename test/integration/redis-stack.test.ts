import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRunClock } from '../../src/util/clock.js';
import { drillSchema, type RedisSentinelStackSpec } from '../../src/spec/schema.js';
import { imageRefs } from '../../src/engine/images.js';
import { imagePresent } from '../../src/engine/pull-image.js';
import { removeRun } from '../../src/engine/resources.js';
import { ownStackImages } from '../../src/run/preflight-images.js';
import type { Stack } from '../../src/stacks/stack.js';
import { REDIS_PORT, SENTINEL_PORT, fieldOf, withProbeClient } from '../../src/stacks/redis/client.js';
import { readPeriods } from '../../src/stacks/redis-sentinel/bring-up-periods.js';
import { MASTER_NAME, startRedisSentinel } from '../../src/stacks/redis-sentinel/start.js';
import { createLogger } from '../../src/util/log.js';
import { docker, leftovers, requireEngine } from './helpers.js';

// The redis-sentinel stack on the real engine, driven directly (no runner): what "ready" promises, asked
// of every server the moment the start returns. The containers come up in parallel and the Sentinels
// discover at the bring-up periods, so this also proves the periods are Sentinel's own again.

describe('redis-sentinel stack: ready means ready', () => {
  let stack: Stack;
  let runId: string;
  const spec = drillSchema.parse({
    name: 'redis-stack-test',
    stack: { kind: 'redis-sentinel', replicas: 2, sentinels: 3, apps: 2 },
    load: { rate: 1, duration: '1s' },
    steps: [{ at: '0s', fault: 'kill', target: 'primary' }],
  }).stack as RedisSentinelStackSpec;

  before(async () => {
    await requireEngine();
    const refs = await imageRefs();
    for (const ref of [refs.redis, refs.app]) assert.ok(await imagePresent(docker, ref.tag), `image ${ref.tag} missing: npm run build && node bin/drill.js images --build`);
    const token = `t${process.pid.toString(36)}rs${Date.now().toString(36).slice(-4)}`;
    runId = `redis-stack-test-${token}`;
    const images = ownStackImages(refs);
    const ctx = {
      docker,
      run: { runId, token, drillName: 'redis-stack-test' },
      clock: createRunClock(),
      log: createLogger({ level: process.env.DRILL_LOG_LEVEL ?? 'warn', pretty: false }),
      signal: new AbortController().signal,
      images,
      readyTimeoutMs: 60_000,
    };
    stack = await startRedisSentinel(ctx, spec);
  });

  after(async () => {
    await stack.stop();
    await removeRun(docker, runId);
  });

  it('every replica replicates from the master', async () => {
    const master = await stack.primary();
    const replicas = await stack.replicas();
    assert.equal(replicas.length, 2);
    for (const r of replicas) {
      const info = await withProbeClient(r.ports[REDIS_PORT]!, (c) => c.info('replication'));
      assert.match(info, /^master_link_status:up/m, `${r.node}: ${info}`);
      assert.match(info, new RegExp(`^master_host:${master.ip.replaceAll('.', '\\.')}`, 'm'), `${r.node} follows another master`);
    }
  });

  it("every Sentinel names the master, sees every replica and every other Sentinel, and runs at Sentinel's own periods", async () => {
    const master = await stack.primary();
    const sentinels = stack.containers.filter((c) => c.role === 'sentinel');
    assert.equal(sentinels.length, 3);
    for (const s of sentinels) {
      await withProbeClient(s.ports[SENTINEL_PORT]!, async (c) => {
        assert.deepEqual(await c.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME), [master.ip, String(REDIS_PORT)]);
        const replicas = (await c.call('SENTINEL', 'replicas', MASTER_NAME)) as string[][];
        assert.equal(replicas.filter((f) => fieldOf(f, 'master-link-status') === 'ok').length, 2, `${s.node}: ${JSON.stringify(replicas)}`);
        assert.equal(((await c.call('SENTINEL', 'sentinels', MASTER_NAME)) as unknown[]).length, 2, `${s.node} does not know both other Sentinels`);
        // Redis's defaults: INFO every 10 s, hello every 2 s.
        assert.deepEqual(await readPeriods(c), { infoMs: 10_000, publishMs: 2_000 }, `${s.node}: periods not restored`);
      });
    }
  });

  it('every app answers /health, and nothing is left once removed', async () => {
    assert.equal(stack.appUrls?.length, 2);
    for (const url of stack.appUrls ?? []) {
      const res = await fetch(`${url}/health`);
      assert.equal(res.status, 200, `${url}: ${await res.text()}`);
    }
    await stack.stop();
    await removeRun(docker, runId);
    assert.deepEqual(await leftovers(runId), []);
  });
});

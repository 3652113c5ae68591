import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadDrillFile } from '../../src/spec/load-drill.js';

const drillsDir = fileURLToPath(new URL('../../drills/', import.meta.url));
const files = (await readdir(drillsDir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

describe('shipped drills', () => {
  it('there is at least the reference drill', () => {
    assert.ok(files.includes('redis-sentinel-kill-master.yaml'), `drills/: ${files.join(', ')}`);
  });

  for (const file of files) {
    it(`drills/${file} validates, and its name matches the file name`, async () => {
      const { spec } = await loadDrillFile(path.join(drillsDir, file));
      assert.equal(spec.name, file.replace(/\.(ya?ml|json)$/, ''));
    });
  }

  it('the reference drill says what the integration test relies on', async () => {
    const { spec } = await loadDrillFile(path.join(drillsDir, 'redis-sentinel-kill-master.yaml'));
    assert.deepEqual(spec.stack, {
      kind: 'redis-sentinel',
      replicas: 1,
      sentinels: 3,
      sentinel: { downAfterMs: 1000, failoverTimeoutMs: 5000, parallelSyncs: 1 },
      apps: 1,
      redisConfig: {},
      disk: 'plain',
    });
    assert.deepEqual(spec.load, { rate: 300, connections: 16, timeoutMs: 1000, warmupMs: 2000, durationMs: 10000 });
    assert.deepEqual(spec.steps, [
      { kind: 'fault', atMs: 3000, fault: 'kill', target: 'primary', durationMs: undefined, signal: 'SIGKILL' },
      { kind: 'waitFor', condition: 'recovered', timeoutMs: 30000 },
    ]);
    assert.deepEqual(spec.objectives, { rtoMs: 10000, downtimeMs: undefined, lostWrites: undefined, rpoMs: undefined, unexpectedWrites: 0, availability: 99.999 });
    assert.ok(spec.description.length > 0);
  });
});

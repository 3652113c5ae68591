import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { PROBE_DEFAULTS, probeSpecOf } from '../../src/load/probe-spec.js';
import { loadDrillText } from '../../src/spec/load-drill.js';

// Whether a drill runs the probe stream (docs/drill-file.md `load.probe`): undeclared, on for the stacks
// drill starts and off on a compose stack; declared, as declared.

const redis = (probe: string) => `name: t\nstack: { kind: redis-sentinel }\nload: { rate: 10, duration: 10s${probe} }\nsteps:\n  - { at: 1s, fault: kill, target: primary }\n`;

describe('probe stream: on or off', () => {
  it('is on with its defaults, undeclared, on a stack drill starts', () => {
    assert.deepEqual(probeSpecOf(loadDrillText(redis(''), 't.yaml', { env: {} }).spec), PROBE_DEFAULTS);
  });

  it('is off when declared false, and as declared otherwise', () => {
    assert.equal(probeSpecOf(loadDrillText(redis(', probe: false'), 't.yaml', { env: {} }).spec), null);
    assert.deepEqual(probeSpecOf(loadDrillText(redis(', probe: { rate: 50, timeout: 100ms }'), 't.yaml', { env: {} }).spec), { rate: 50, connections: 64, timeoutMs: 100 });
  });

  it("is off, undeclared, on a compose stack (the user's own system), and on there when declared", async () => {
    const text = await readFile(new URL('../../drills/compose-redis-kill-master.yaml', import.meta.url), 'utf8');
    const env = { env: { ...process.env } };
    assert.equal(probeSpecOf(loadDrillText(text, 'compose.yaml', env).spec), null);
    assert.deepEqual(probeSpecOf(loadDrillText(text.replace(/^load:\n/m, 'load:\n  probe: true\n'), 'compose.yaml', env).spec), PROBE_DEFAULTS);
  });
});

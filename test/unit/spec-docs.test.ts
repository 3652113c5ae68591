import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { DrillFileError, parseDrillText } from '../../src/spec/load-drill.js';

// docs/drill-file.md shows example drills and real loader output: keep both true.

const doc = await readFile(new URL('../../docs/drill-file.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));

function messagesOf(text: string, file: string): string {
  try {
    parseDrillText(text, file);
  } catch (error) {
    assert.ok(error instanceof DrillFileError);
    return `${error.message}\n`;
  }
  assert.fail('the example was accepted');
}

/** The yaml block whose drill is called `name`, and the index of the block. */
function example(name: string): { index: number; body: string } {
  const index = blocks.findIndex((b) => b.lang === 'yaml' && new RegExp(`^name: ${name}$`, 'm').test(b.body));
  assert.ok(index >= 0, `no example drill named ${name} in docs/drill-file.md`);
  return { index, body: blocks[index]!.body };
}

/** Examples that are broken on purpose: each is followed by a ```text block of the loader's output. */
const BROKEN = new Set(['my-drill', 'my-mysql-drill']);

describe('docs/drill-file.md', () => {
  it('embeds the reference drill verbatim', async () => {
    const drill = await readFile(new URL('../../drills/redis-sentinel-kill-master.yaml', import.meta.url), 'utf8');
    assert.ok(
      blocks.some((b) => b.lang === 'yaml' && b.body === drill),
      'the Example section differs from drills/redis-sentinel-kill-master.yaml',
    );
  });

  it('every example drill that is not broken on purpose is valid', () => {
    const drills = blocks.filter((b) => b.lang === 'yaml' && /^name: /m.test(b.body));
    assert.ok(drills.length >= 5, `only ${drills.length} example drills`);
    for (const { body } of drills) {
      const name = /^name: (.*)$/m.exec(body)![1]!;
      if (BROKEN.has(name)) continue;
      assert.doesNotThrow(() => parseDrillText(body, `${name}.yaml`), `docs example ${name} is invalid`);
    }
  });

  it('the MySQL runbook example does what its comments say', () => {
    const spec = parseDrillText(example('mysql-kill-primary-runbook').body, 'mysql-kill-primary-runbook.yaml');
    assert.deepEqual(spec.stack, {
      kind: 'mysql-replication',
      replicas: 2,
      replication: { mode: 'semisync', semisyncTimeoutMs: 10_000 },
      readOnlyReplicas: true,
      disk: 'plain',
      failover: { mode: 'runbook', checkIntervalMs: 500, failureThreshold: 3, checkTimeoutMs: 500, catchUp: true },
    });
    assert.deepEqual(spec.steps, [
      { kind: 'fault', fault: 'kill', atMs: 5000, target: 'primary', durationMs: undefined, signal: 'SIGKILL' },
      { kind: 'wait', waitMs: 2000 },
      { kind: 'action', action: 'promote', atMs: undefined, candidate: 'most-advanced', catchUp: true, timeoutMs: 30_000 },
      { kind: 'action', action: 'repoint', atMs: undefined, timeoutMs: 30_000 },
      { kind: 'waitFor', condition: 'recovered', timeoutMs: 30_000 },
    ]);
    assert.equal(spec.objectives.lostWrites, 0);
  });

  it('the MySQL auto-failover example has no runbook step and sets the detector', () => {
    const spec = parseDrillText(example('mysql-kill-primary-auto').body, 'mysql-kill-primary-auto.yaml');
    assert.equal(spec.stack.kind, 'mysql-replication');
    assert.equal(spec.stack.kind, 'mysql-replication');
    assert.deepEqual(spec.stack.failover, { mode: 'auto', checkIntervalMs: 500, failureThreshold: 3, checkTimeoutMs: 500, catchUp: true });
    assert.deepEqual(
      spec.steps.map((s) => s.kind),
      ['fault', 'waitFor'],
    );
  });

  it('shows the messages the loader really prints', () => {
    const { index, body: broken } = example('my-drill');
    assert.equal(messagesOf(broken, 'my-drill.yaml'), blocks[index + 1]!.body);
    const fixed = broken.replace('  rat: 300', '  rate: 300').replace('duration: 15\n', 'duration: 15s\n').replace('explode', 'kill').replace('lostwrites', 'lostWrites');
    assert.equal(messagesOf(fixed, 'my-drill.yaml'), blocks[index + 2]!.body);
  });

  it('shows the messages the loader really prints for the broken MySQL drill', () => {
    const { index, body } = example('my-mysql-drill');
    assert.equal(blocks[index + 1]!.lang, 'text');
    assert.equal(messagesOf(body, 'my-mysql-drill.yaml'), blocks[index + 1]!.body);
  });
});

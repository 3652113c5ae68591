import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { runDrill } from '../../src/run/run-drill.js';
import { loadDrillText } from '../../src/spec/load-drill.js';
import { createLogger } from '../../src/util/log.js';
import { FakeEngine } from '../fakes/fake-engine.js';

// The runner's logic against a fake engine, stack and load (test/fakes): phases, time boxes, heal on
// abort, runbook failure and stop conditions, in seconds instead of a Docker drill each.

const log = createLogger({ level: 'silent', pretty: false });

function drill(stack: string, steps: string, extra = ''): ReturnType<typeof loadDrillText> {
  return loadDrillText(`name: fake\nstack: ${stack}\nload: { rate: 200, timeout: 1s, warmup: 100ms, duration: 1500ms }\nsteps:\n${steps}\nmeasure: { stable: 200ms }\n${extra}`, 'fake.yaml');
}

async function run(engine: FakeEngine, d: ReturnType<typeof loadDrillText>, signal = new AbortController().signal) {
  return runDrill({ drill: d, outDir: os.tmpdir(), log, signal, deps: { docker: engine.docker, stacks: engine.stackPlugins(), createLoad: (o) => engine.createLoad(o) } });
}

describe('runner on a fake engine', () => {
  it('heals a time-boxed fault after its duration, counted from the moment it is in effect, and measures the outage', async () => {
    const engine = new FakeEngine();
    const { result } = await run(engine, drill('{ kind: mysql-replication }', '  - { at: 200ms, fault: pause, target: db-1, duration: 400ms }\n  - { waitFor: recovered, timeout: 2s }'));
    assert.equal(result.verdict, 'pass', result.reason ?? '');
    const fault = result.faults[0]!;
    assert.ok(fault.healedAtMs! - fault.injectReturnedAtMs >= 400, `healed ${fault.healedAtMs! - fault.injectReturnedAtMs} ms after it was in effect`);
    const db1 = `drill-${result.runId.split('-').pop()}-db-1`;
    assert.deepEqual(
      engine.calls.filter((c) => /pause|unpause/.test(c)),
      [`pause ${db1}`, `unpause ${db1}`],
    );
    // The fake load fails while db-1 is paused: the runner's own measurement sees a ~400 ms outage.
    assert.ok(result.measured!.downtimeMs! >= 380 && result.measured!.downtimeMs! < 700, `downtime ${result.measured!.downtimeMs}`);
    assert.equal(result.measured!.lostWrites, 0);
    assert.deepEqual(Object.keys(result.phasesMs).sort(), ['down', 'load', 'preflight', 'steps', 'up', 'verify', 'warmup']);
    assert.equal(engine.containers.size, 0, 'teardown left containers');
  });

  it('heals a fault still in effect when the run is aborted, tears down and reports "aborted"', async () => {
    const engine = new FakeEngine();
    const controller = new AbortController();
    // Ctrl-C 100 ms after the pause went in.
    const poll = setInterval(() => {
      if (engine.calls.some((c) => c.startsWith('pause'))) {
        clearInterval(poll);
        setTimeout(() => {
          controller.abort(new Error('interrupted by SIGINT'));
        }, 100);
      }
    }, 10);
    const { result } = await run(engine, drill('{ kind: mysql-replication }', '  - { at: 200ms, fault: pause, target: db-1 }'), controller.signal);
    assert.equal(result.verdict, 'aborted');
    assert.match(result.reason ?? '', /SIGINT/);
    const order = engine.calls.filter((c) => /^(pause|unpause|stack stop|remove)/.test(c)).map((c) => c.split(' ')[0]);
    assert.deepEqual(order.slice(0, 3), ['pause', 'unpause', 'stack'], engine.calls.join(', '));
    assert.ok(result.faults[0]!.healedAtMs !== undefined);
    assert.equal(engine.containers.size, 0);
  });

  it('a runbook step that cannot be carried out ends the run in error, with the reason, and still tears down', async () => {
    const engine = new FakeEngine();
    engine.failPromote = true;
    const { result } = await run(engine, drill('{ kind: mysql-replication }', '  - { at: 200ms, fault: kill, target: primary }\n  - { action: promote }\n  - { action: repoint }'));
    assert.equal(result.verdict, 'error');
    assert.match(result.reason ?? '', /no replica can be promoted/);
    assert.ok(engine.calls.includes('runbook promote'));
    assert.ok(!engine.calls.includes('runbook repoint'), 'the runbook went on after a failed step');
    assert.equal(engine.containers.size, 0);
  });

  it('runs the runbook steps in order and times each on the timeline', async () => {
    const engine = new FakeEngine();
    const { result } = await run(
      engine,
      drill(
        '{ kind: mysql-replication }',
        '  - { at: 200ms, fault: kill, target: primary }\n  - { wait: 100ms }\n  - { action: promote }\n  - { action: repoint }\n  - { waitFor: recovered, timeout: 2s }',
      ),
    );
    assert.equal(result.verdict, 'pass', result.reason ?? '');
    assert.deepEqual(
      result.events.filter((e) => e.marker?.startsWith('runbook-')).map((e) => e.marker),
      ['runbook-wait', 'runbook-promote', 'runbook-repoint'],
    );
    assert.deepEqual(
      engine.calls.filter((c) => c.startsWith('runbook')),
      ['runbook promote', 'runbook repoint'],
    );
    assert.ok(result.measured!.rtoMs! >= 100, `RTO ${result.measured!.rtoMs} includes the operator's wait`);
  });

  it('a stop condition that holds aborts the run, with the condition as the reason', async () => {
    const engine = new FakeEngine();
    const { result } = await run(engine, drill('{ kind: mysql-replication }', '  - { at: 200ms, fault: kill, target: primary }', 'abortIf: { errorRate: { above: 0.5, for: 300ms } }'));
    assert.equal(result.verdict, 'aborted');
    assert.match(result.reason ?? '', /stop condition: error rate .* over the last 300 ms/);
    assert.ok(result.events.some((e) => e.marker === 'abort'));
    assert.equal(engine.containers.size, 0);
  });
});

import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import { painter } from '../../src/cli/colour.js';
import { startProgress, type ProgressMode } from '../../src/cli/terminal.js';
import { displayWidth } from '../../src/cli/text-width.js';
import type { LiveRun, RunSnapshot } from '../../src/run/live-view.js';
import { runDrill } from '../../src/run/run-drill.js';
import { loadDrillText } from '../../src/spec/load-drill.js';
import { createLogger } from '../../src/util/log.js';
import { FakeEngine } from '../fakes/fake-engine.js';

// The live view of a run (what the progress line reads) and the progress itself, on the fake engine:
// every phase, the faults' states, the counters, the system's events; plain lines and the live line.

const log = createLogger({ level: 'silent', pretty: false });

const drill = (steps: string) =>
  loadDrillText(`name: live\nstack: { kind: mysql-replication }\nload: { rate: 200, timeout: 1s, warmup: 100ms, duration: 1500ms }\nsteps:\n${steps}\nmeasure: { stable: 200ms }\n`, 'live.yaml');

async function run(steps: string, observe: (live: LiveRun) => void) {
  const engine = new FakeEngine();
  return runDrill({
    drill: drill(steps),
    outDir: os.tmpdir(),
    log,
    signal: new AbortController().signal,
    observe,
    deps: { docker: engine.docker, stacks: engine.stackPlugins(), createLoad: (o) => engine.createLoad(o) },
  });
}

describe('live view of a run', () => {
  it('phases in order, each fault from pending to in effect to healed with its node, growing counters, the runbook as the latest event', async () => {
    const snaps: RunSnapshot[] = [];
    let timer: NodeJS.Timeout | undefined;
    let live: LiveRun | undefined;
    const { result } = await run('  - { at: 300ms, fault: pause, target: primary, duration: 300ms }\n  - { action: promote, at: 700ms }\n  - { waitFor: recovered, timeout: 2s }', (l) => {
      live = l;
      timer = setInterval(() => snaps.push(l.snapshot()), 20);
    });
    clearInterval(timer);
    snaps.push(live!.snapshot());
    assert.equal(result.verdict, 'pass', result.reason ?? '');
    const last = snaps.at(-1)!;
    assert.equal(last.runId, result.runId);
    assert.equal(last.drillName, 'live');
    assert.deepEqual(
      last.phases.map((p) => p.phase),
      ['preflight', 'up', 'warmup', 'steps', 'load', 'verify', 'down'],
    );
    assert.ok(last.finished);
    assert.ok(last.phases.every((p, i) => i === 0 || p.atMs >= last.phases[i - 1]!.atMs));

    // Each state in order, never back; the node without the run's token.
    const states = [...new Set(snaps.flatMap((s) => s.faults.map((f) => f.state)))];
    // "injecting" lasts as long as the (fake, instant) injecting call: seen or not.
    assert.deepEqual(
      states.filter((s) => s !== 'injecting'),
      ['pending', 'in-effect', 'healed'],
    );
    assert.ok(!states.includes('injecting') || states.indexOf('injecting') === 1, states.join());
    const healed = last.faults[0]!;
    assert.ok(healed.state === 'healed' && healed.node === 'db-1', JSON.stringify(healed));
    assert.equal(healed.atMs, 300);
    const leftMs = snaps.flatMap((s) => {
      const f = s.faults[0];
      return f?.state === 'pending' ? [f.inMs] : [];
    });
    assert.ok(leftMs.length > 0 && leftMs.every((ms) => ms > 0 && ms <= 400), `pending: the time left to it: ${leftMs.join()}`);
    // No fault before the load (its times count from the end of warm-up).
    assert.ok(snaps.filter((s) => s.writes === null).every((s) => s.faults.length === 0));

    const sent = snaps.flatMap((s) => (s.writes ? [s.writes.sent] : []));
    assert.ok(sent.length > 10 && sent.every((n, i) => i === 0 || n >= sent[i - 1]!), 'counters only grow');
    assert.ok(last.writes!.failed > 0 && last.writes!.ok > 0);
    assert.equal(last.writes!.sent, result.measured!.totalWrites);

    assert.equal(last.event?.source, 'runbook');
    assert.match(last.event.message, /^promoted db-2: promoted \(\d+ ms\)$/);
  });

  it('a fault whose steps ended before it (an error) is "not injected"', async () => {
    let live: LiveRun | undefined;
    const engine = new FakeEngine();
    engine.failPromote = true;
    const { result } = await runDrill({
      drill: drill('  - { at: 200ms, fault: kill, target: primary }\n  - { action: promote }\n  - { at: 1200ms, fault: kill, target: db-2 }'),
      outDir: os.tmpdir(),
      log,
      signal: new AbortController().signal,
      observe: (l) => (live = l),
      deps: { docker: engine.docker, stacks: engine.stackPlugins(), createLoad: (o) => engine.createLoad(o) },
    });
    assert.equal(result.verdict, 'error');
    assert.deepEqual(
      live!.snapshot().faults.map((f) => f.state),
      ['in-effect', 'skipped'],
    );
  });
});

describe('progress of a run', () => {
  async function progressOf(mode: ProgressMode, columns: number) {
    const lines: string[] = [];
    const statuses: string[] = [];
    let cleared = 0;
    const progress = startProgress({
      mode,
      prefix: 'drill',
      paint: painter(false),
      columns: () => columns,
      intervalMs: 50,
      sink: { line: (t) => lines.push(t), status: (t) => statuses.push(t), clear: () => cleared++ },
    });
    await run('  - { at: 300ms, fault: pause, target: db-1, duration: 400ms }\n  - { waitFor: recovered, timeout: 2s }', (l) => {
      progress.observe(l);
    });
    progress.stop();
    progress.stop();
    return { lines, statuses, cleared };
  }

  it('plain: one line per phase (the short ones too), fault and outage; no live line', async () => {
    const { lines, statuses, cleared } = await progressOf('plain', 80);
    assert.deepEqual(statuses, []);
    assert.equal(cleared, 0);
    const told = lines.map((l) => l.replace(/^drill \d+:\d\d /, ''));
    assert.deepEqual(
      told.filter((l) => /^(preflight|up|warmup|steps|load|verify|down|report):/.test(l)).map((l) => l.split(':')[0]),
      ['preflight', 'up', 'warmup', 'steps', 'load', 'verify', 'down', 'report'],
    );
    assert.ok(told.includes('fault: pause db-1 at 0.3 s → in effect'), told.join('\n'));
    assert.ok(told.includes('fault: pause db-1 at 0.3 s → healed'), told.join('\n'));
    assert.ok(told.includes('writes: failing'), told.join('\n'));
    assert.ok(
      told.some((l) => /^writes: ok again, after about \d\.\d s of failures$/.test(l)),
      told.join('\n'),
    );
    for (const l of lines) assert.doesNotMatch(l, /[\r\n\u001b]/);
  });

  it('live: a line per read, never wider than the terminal, erased once at the end; no plain line', async () => {
    const { lines, statuses, cleared } = await progressOf('live', 90);
    assert.deepEqual(lines, []);
    assert.ok(statuses.length > 10, `${statuses.length} redraws`);
    for (const s of statuses) assert.ok(displayWidth(s) <= 89 && !/[\r\n]/.test(s), s);
    assert.ok(statuses.some((s) => /^steps .*\d+ ok/.test(s)));
    assert.ok(statuses.some((s) => s.includes('outage ')));
    assert.equal(cleared, 2, 'stop() erases the line, each time it is called');
  });

  it('off: nothing, and the run is never even read', () => {
    const out: string[] = [];
    const progress = startProgress({
      mode: 'off',
      prefix: 'drill',
      paint: painter(false),
      columns: () => 80,
      sink: { line: (t) => out.push(t), status: (t) => out.push(t), clear: () => out.push('clear') },
    });
    progress.observe({
      snapshot: () => {
        throw new Error('read');
      },
    });
    progress.stop();
    assert.deepEqual(out, []);
  });
});

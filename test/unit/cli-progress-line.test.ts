import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { painter } from '../../src/cli/colour.js';
import { clock, eventText, faultText, renderNotice, renderProgressLine } from '../../src/cli/progress-line.js';
import { NO_MEMORY, faultToShow, readSnapshot, type ProgressView } from '../../src/cli/progress-state.js';
import { progressMode } from '../../src/cli/terminal.js';
import { displayWidth, truncateToWidth } from '../../src/cli/text-width.js';
import type { LiveFault, RunSnapshot } from '../../src/run/live-view.js';

// The progress line as text: a pure function of the view, never wider than the terminal; the plain lines;
// how successive snapshots become the view (outage, fault states) and the notices; and which progress a
// run shows (live line, plain lines, nothing).

const plain = painter(false);
const colour = painter(true);
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

const kill = (state: LiveFault): LiveFault => state;
const inEffect = kill({ fault: 'kill', target: 'primary', atMs: 5000, state: 'in-effect', node: 'redis-1' });

const busyView: ProgressView = {
  phase: 'steps',
  elapsedMs: 12_345,
  writes: { sent: 5396, ok: 4693, failed: 702, unknown: 1, inFlight: 3 },
  outageMs: 2300,
  fault: inEffect,
  event: { source: 'sentinel', message: 'sentinel-2: +switch-master mymaster 172.19.0.3 6379 172.19.0.4 6379' },
};

describe('progress line rendering', () => {
  it('shows phase, elapsed, writes, outage, fault state and the latest system event, in that order', () => {
    const line = renderProgressLine(busyView, 400, plain);
    assert.equal(
      line,
      'steps     0:12 | writes 5,396 sent, 4,693 ok, 702 failed, 1 unknown | outage 2.3 s | kill primary (redis-1) at 5.0 s → in effect | sentinel-2: +switch-master mymaster 172.19.0.3 6379 172.19.0.4 6379',
    );
  });

  it('is never wider than the terminal minus one column, at any width, with or without colour', () => {
    for (const paint of [plain, colour]) {
      for (let columns = 0; columns <= 220; columns++) {
        const line = stripAnsi(renderProgressLine(busyView, columns, paint));
        assert.ok(displayWidth(line) <= Math.max(0, columns - 1), `${columns} columns: ${displayWidth(line)} wide: ${JSON.stringify(line)}`);
        assert.ok(!/[\r\n]/.test(line), 'one row');
      }
    }
  });

  it('on a narrower terminal, compact (no padding, outcomes only, zero counts left out, the fault in short), then cut with "…"', () => {
    assert.equal(renderProgressLine(busyView, 80, plain), 'steps 0:12  4,693 ok 702 failed 1 unknown  outage 2.3 s  kill primary in effect');
    assert.equal(
      renderProgressLine({ ...busyView, writes: { sent: 90, ok: 90, failed: 0, unknown: 0, inFlight: 0 }, outageMs: null }, 60, plain),
      'steps 0:12  90 ok  kill primary in effect  sentinel-2: +sw…',
    );
    assert.equal(renderProgressLine(busyView, 50, plain), 'steps 0:12  4,693 ok 702 failed 1 unknown  outag…');
    for (let columns = 1; columns <= 220; columns++) assert.doesNotMatch(renderProgressLine(busyView, columns, plain), /(\| ?| {2})$/, `${columns}`);
  });

  it('counts wide characters as two columns and keeps control characters out of the line', () => {
    const view: ProgressView = { ...busyView, outageMs: null, event: { source: 'log', message: 'db-1: 日本語のログ行\u001b[31m red \u0007' } };
    for (let columns = 10; columns <= 200; columns++) {
      const line = renderProgressLine(view, columns, plain);
      assert.ok(displayWidth(line) <= columns - 1, `${columns}: ${line}`);
      assert.doesNotMatch(line, /[\u0000-\u001f]/);
    }
    assert.equal(displayWidth('日本'), 4);
    assert.equal(truncateToWidth('日本語', 5), '日本…');
  });

  it('colours the outage red and the fault by its state, and nothing else', () => {
    const line = renderProgressLine(busyView, 400, colour);
    assert.match(line, /\x1b\[31moutage 2\.3 s\x1b\[39m/);
    assert.equal(stripAnsi(renderProgressLine(busyView, 80, colour)), renderProgressLine(busyView, 80, plain));
    assert.match(line, /\x1b\[33mkill primary \(redis-1\) at 5\.0 s → in effect\x1b\[39m/);
    assert.equal(renderProgressLine(busyView, 400, plain), stripAnsi(line));
  });

  it('before the load: only the phase and the elapsed time', () => {
    assert.equal(renderProgressLine({ phase: 'up', elapsedMs: 3999, writes: null, outageMs: null, fault: null, event: null }, 80, plain), 'up        0:03');
  });

  it('says each state of a fault', () => {
    const base = { fault: 'kill', target: 'primary', atMs: 5000 } as const;
    assert.equal(faultText({ ...base, state: 'pending', inMs: 2149 }), 'kill primary at 5.0 s → in 2.1 s');
    assert.equal(faultText({ ...base, state: 'injecting' }), 'kill primary at 5.0 s → injecting');
    assert.equal(faultText({ ...base, state: 'in-effect', node: 'redis-1' }), 'kill primary (redis-1) at 5.0 s → in effect');
    assert.equal(faultText({ ...base, state: 'healed', node: 'redis-1' }), 'kill primary (redis-1) at 5.0 s → healed');
    assert.equal(faultText({ ...base, state: 'skipped' }), 'kill primary at 5.0 s → not injected');
    assert.equal(faultText({ ...base, state: 'pending', inMs: 2149 }, true), 'kill primary in 2.1 s');
    assert.equal(faultText({ ...base, state: 'healed', node: 'redis-1' }, true), 'kill primary healed');
    // A node named as the target is not said twice; a partition names no single target.
    assert.equal(faultText({ fault: 'pause', target: 'db-1', atMs: 1000, state: 'in-effect', node: 'db-1' }), 'pause db-1 at 1.0 s → in effect');
    assert.equal(faultText({ fault: 'partition', target: 'groups', atMs: 3000, state: 'in-effect', node: 'db-1,db-2' }), 'partition at 3.0 s → in effect');
  });

  it('names the source of an event unless the message starts with it', () => {
    assert.equal(eventText({ source: 'sentinel', message: 'sentinel-1: +odown master mymaster' }), 'sentinel-1: +odown master mymaster');
    assert.equal(eventText({ source: 'runbook', message: 'promoted db-2 (12 ms)' }), 'runbook: promoted db-2 (12 ms)');
  });

  it('elapsed time reads m:ss', () => {
    assert.deepEqual([0, 999, 59_999, 60_000, 754_000].map(clock), ['0:00', '0:00', '0:59', '1:00', '12:34']);
  });
});

describe('plain progress lines', () => {
  it('one line per notice, no carriage return, no escape code', () => {
    const lines = [
      renderNotice({ kind: 'phase', phase: 'up', atMs: 200 }, 'drill'),
      renderNotice({ kind: 'fault', fault: inEffect, atMs: 12_100 }, 'drill'),
      renderNotice({ kind: 'failing', atMs: 12_300 }, 'drill'),
      renderNotice({ kind: 'recovered', atMs: 14_650, outageMs: 2350 }, 'drill'),
      renderNotice({ kind: 'phase', phase: 'report', atMs: 25_000 }, 'nightly\u001b[2J'),
    ];
    assert.deepEqual(lines, [
      'drill 0:00 up: starting the stack and waiting until it is ready',
      'drill 0:12 fault: kill primary (redis-1) at 5.0 s → in effect',
      'drill 0:12 writes: failing',
      'drill 0:14 writes: ok again, after about 2.4 s of failures',
      'nightly [2J 0:25 report: writing the reports',
    ]);
    for (const line of lines) assert.doesNotMatch(line, /[\r\n\u001b]/);
  });
});

function snapshot(over: Partial<RunSnapshot>): RunSnapshot {
  return { runId: 'r', drillName: 'd', elapsedMs: 0, phases: [], finished: false, writes: null, faults: [], event: null, ...over };
}

describe('progress from successive snapshots', () => {
  it('tells every phase once, even one that started and ended between two reads, and the reports after teardown', () => {
    let memory = NO_MEMORY;
    const phases = (names: string[]) => names.map((phase, i) => ({ phase: phase as RunSnapshot['phases'][number]['phase'], atMs: i * 100 }));
    const read1 = readSnapshot(memory, snapshot({ elapsedMs: 50, phases: phases(['preflight']) }));
    memory = read1.memory;
    const read2 = readSnapshot(memory, snapshot({ elapsedMs: 700, phases: phases(['preflight', 'up', 'warmup', 'steps', 'load', 'verify', 'down']) }));
    memory = read2.memory;
    const read3 = readSnapshot(memory, snapshot({ elapsedMs: 900, phases: phases(['preflight', 'up', 'warmup', 'steps', 'load', 'verify', 'down']), finished: true }));
    const told = [...read1.notices, ...read2.notices, ...read3.notices].map((n) => (n.kind === 'phase' ? n.phase : n.kind));
    assert.deepEqual(told, ['preflight', 'up', 'warmup', 'steps', 'load', 'verify', 'down', 'report']);
    assert.equal(read2.view.phase, 'down');
    assert.equal(read3.view.phase, 'report');
    assert.deepEqual(read3.notices[0], { kind: 'phase', phase: 'report', atMs: 900 });
  });

  it('sees writes failing when failures grow and ok writes do not; the outage runs from the last ok read; ok again only on a clean read', () => {
    const phases = [{ phase: 'steps' as const, atMs: 0 }];
    const reads = [
      { elapsedMs: 1000, ok: 100, failed: 0, unknown: 0 },
      { elapsedMs: 1250, ok: 150, failed: 0, unknown: 0 },
      { elapsedMs: 1500, ok: 150, failed: 30, unknown: 0 }, // failing: the last ok read was at 1250
      { elapsedMs: 1750, ok: 150, failed: 30, unknown: 5 }, // writes timing out count as failing too
      { elapsedMs: 2000, ok: 160, failed: 40, unknown: 5 }, // mixed: still failing
      { elapsedMs: 2250, ok: 210, failed: 40, unknown: 5 }, // clean: ok again
      { elapsedMs: 2500, ok: 260, failed: 40, unknown: 5 },
    ];
    let memory = NO_MEMORY;
    const out = reads.map(({ elapsedMs, ok, failed, unknown }) => {
      const read = readSnapshot(memory, snapshot({ elapsedMs, phases, writes: { sent: ok + failed + unknown, ok, failed, unknown, inFlight: 0 } }));
      memory = read.memory;
      return read;
    });
    assert.deepEqual(
      out.map((r) => r.view.outageMs),
      [null, null, 250, 500, 750, null, null],
    );
    assert.deepEqual(
      out.flatMap((r) => r.notices).filter((n) => n.kind !== 'phase'),
      [
        { kind: 'failing', atMs: 1500 },
        { kind: 'recovered', atMs: 2250, outageMs: 1000 },
      ],
    );
  });

  it('shows no outage once the load is over (its counters stand still)', () => {
    const writes = (ok: number, failed: number) => ({ sent: ok + failed, ok, failed, unknown: 0, inFlight: 0 });
    let memory = readSnapshot(NO_MEMORY, snapshot({ elapsedMs: 1000, phases: [{ phase: 'load', atMs: 0 }], writes: writes(10, 0) })).memory;
    memory = readSnapshot(memory, snapshot({ elapsedMs: 1250, phases: [{ phase: 'load', atMs: 0 }], writes: writes(10, 5) })).memory;
    const after = readSnapshot(
      memory,
      snapshot({
        elapsedMs: 1500,
        phases: [
          { phase: 'load', atMs: 0 },
          { phase: 'verify', atMs: 1400 },
        ],
        writes: writes(10, 5),
      }),
    );
    assert.equal(after.view.outageMs, null);
  });

  it('tells a fault when it is in place, healed or not injected; not while it is pending', () => {
    const base = { fault: 'kill', target: 'primary', atMs: 5000 } as const;
    let memory = NO_MEMORY;
    const notices = (
      [
        [{ ...base, state: 'pending', inMs: 100 }],
        [{ ...base, state: 'injecting' }],
        [{ ...base, state: 'in-effect', node: 'redis-1' }],
        [{ ...base, state: 'in-effect', node: 'redis-1' }],
        [{ ...base, state: 'healed', node: 'redis-1' }],
      ] satisfies LiveFault[][]
    ).flatMap((faults, i) => {
      const read = readSnapshot(memory, snapshot({ elapsedMs: i * 250, faults }));
      memory = read.memory;
      return read.notices.map((n) => (n.kind === 'fault' ? n.fault.state : n.kind));
    });
    assert.deepEqual(notices, ['in-effect', 'healed']);
  });

  it('shows the fault in effect, else the next one due, else the last one', () => {
    const f = (atMs: number, state: 'pending' | 'healed' | 'in-effect'): LiveFault =>
      state === 'pending' ? { fault: 'kill', target: 'primary', atMs, state, inMs: 1 } : { fault: 'kill', target: 'primary', atMs, state, node: 'x' };
    assert.equal(faultToShow([]), null);
    assert.equal(faultToShow([f(1, 'healed'), f(2, 'in-effect'), f(3, 'pending')])?.atMs, 2);
    assert.equal(faultToShow([f(1, 'healed'), f(3, 'pending'), f(4, 'pending')])?.atMs, 3);
    assert.equal(faultToShow([f(1, 'healed'), f(2, 'healed')])?.atMs, 2);
  });
});

describe('progress mode', () => {
  const mode = (o: Partial<Parameters<typeof progressMode>[0]>) => progressMode({ stderrIsTTY: true, term: 'xterm-256color', quiet: false, singleRun: true, notATerminal: 'plain', ...o });
  it('a live line on a terminal; plain lines with --quiet, TERM=dumb, several runs at once or no terminal (or nothing, when asked)', () => {
    assert.equal(mode({}), 'live');
    assert.equal(mode({ term: undefined }), 'live');
    assert.equal(mode({ quiet: true }), 'plain');
    assert.equal(mode({ term: 'dumb' }), 'plain');
    assert.equal(mode({ singleRun: false }), 'plain');
    assert.equal(mode({ stderrIsTTY: false }), 'plain');
    assert.equal(mode({ stderrIsTTY: false, notATerminal: 'off' }), 'off');
    assert.equal(mode({ stderrIsTTY: true, notATerminal: 'off', quiet: true }), 'plain');
  });
});

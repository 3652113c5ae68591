import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { startScheduler, type ScheduledDrill } from '../../src/schedule/scheduler.js';

// The scheduler with real croner timers (a seconds field) and a fake drill that takes a set time.

function recorder() {
  const lines: { msg: string; drill?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

interface Span {
  name: string;
  start: number;
  end: number;
  aborted: boolean;
}

function fakeRun(spans: Span[], durationMs: Record<string, number>) {
  return async (d: ScheduledDrill, signal: AbortSignal) => {
    const span: Span = { name: d.name, start: Date.now(), end: 0, aborted: false };
    spans.push(span);
    try {
      await sleep(durationMs[d.name], undefined, { signal });
    } catch {
      span.aborted = true; // a real run heals and tears down here
      await sleep(50);
    }
    span.end = Date.now();
  };
}

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

describe('schedule: the scheduler', () => {
  it('never overlaps a drill with itself: a time that comes while it runs is skipped, and logged', async () => {
    const spans: Span[] = [];
    const { log, lines } = recorder();
    // Every second, but each run takes 2.5 s: at most every third second starts one.
    const s = startScheduler({ drills: [{ name: 'slow', file: 'slow.yaml', cron: '* * * * * *' }], log, runOne: fakeRun(spans, { slow: 2500 }) });
    await sleep(5200);
    await s.stop(new Error('test over'));
    assert.ok(spans.length >= 2 && spans.length <= 3, `${spans.length} runs`);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i]!.start >= spans[i - 1]!.end, 'a run started before the previous one ended');
    assert.ok(
      lines.some((l) => /skipped a scheduled time/.test(l.msg)),
      'the skip was not logged',
    );
  });

  it('runs different drills one after the other unless parallel', async () => {
    for (const parallel of [false, true]) {
      const spans: Span[] = [];
      const s = startScheduler({
        drills: [
          { name: 'a', file: 'a.yaml', cron: '* * * * * *' },
          { name: 'b', file: 'b.yaml', cron: '* * * * * *' },
        ],
        log: recorder().log,
        parallel,
        runOne: fakeRun(spans, { a: 700, b: 700 }),
      });
      await sleep(3100);
      await s.stop(new Error('test over'));
      const a = spans.filter((x) => x.name === 'a');
      const b = spans.filter((x) => x.name === 'b');
      assert.ok(a.length >= 1 && b.length >= 1, `runs: a ${a.length}, b ${b.length}`);
      const crossed = a.some((x) => b.some((y) => overlaps(x, y)));
      assert.equal(crossed, parallel, parallel ? 'parallel drills should overlap' : 'serial drills overlapped');
    }
  });

  it('stop() starts nothing new, aborts the running drill and waits for it', async () => {
    const spans: Span[] = [];
    const s = startScheduler({ drills: [{ name: 'long', file: 'long.yaml', cron: '* * * * * *' }], log: recorder().log, runOne: fakeRun(spans, { long: 60_000 }) });
    while (spans.length === 0) await sleep(50);
    const t0 = Date.now();
    await s.stop(new Error('SIGTERM'));
    assert.ok(Date.now() - t0 < 2000, 'stop did not abort the run');
    assert.equal(spans.length, 1);
    assert.ok(spans[0]!.aborted && spans[0]!.end > 0, 'the run was not aborted, or stop() did not wait for it');
    await sleep(1200);
    assert.equal(spans.length, 1, 'a run started after stop()');
    assert.deepEqual(
      s.nextRuns().map((r) => r.next),
      [null],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WriteOutcome, WriteRecord } from '../../src/load/history.js';
import { evaluateEventObjectives } from '../../src/measure/event-objectives.js';
import { measureEvents, type PerEventInput } from '../../src/measure/per-event.js';
import type { EventRecord } from '../../src/measure/types.js';

// Per-event measurement on synthetic histories whose answers are known by construction.

/** A write every 10 ms in [fromMs, toMs), 2 ms latency, outcome by send time. */
function gen(fromMs: number, toMs: number, outcomeAt: (t: number) => WriteOutcome): WriteRecord[] {
  const out: WriteRecord[] = [];
  let id = 1;
  for (let t = fromMs; t < toMs; t += 10) out.push({ id: id++, scheduledMs: t, invokeMs: t, completeMs: t + 2, outcome: outcomeAt(t) });
  return out;
}

const between = (t: number, from: number, to: number) => t >= from && t < to;

function ev(kind: EventRecord['kind'], startMs: number, endMs: number, extra: Partial<EventRecord> = {}): EventRecord {
  return { kind, step: 0, label: kind, startMs, endMs, injectMs: kind === 'failover' ? 0.5 : 0, ...extra };
}

function input(history: WriteRecord[], events: EventRecord[], presentIds: ReadonlySet<number> | null = null): PerEventInput {
  return { sorted: history, events, presentIds, stableMs: 1000, timerResolutionMs: 1, baselineLatencyMs: 2 };
}

/** All ids except the given ones. */
function presentExcept(history: WriteRecord[], missing: number[]): Set<number> {
  const gone = new Set(missing);
  return new Set(history.filter((w) => w.outcome === 'ok' && !gone.has(w.id)).map((w) => w.id));
}

describe('measureEvents: a cycle kill → rejoin → switchover', () => {
  // Writes fail during [1000, 2000) (the kill) and [6000, 6300) (the switchover); the rejoin at 3500 is not felt.
  const history = gen(0, 10_000, (t) => (between(t, 1000, 2000) || between(t, 6000, 6300) ? 'fail' : 'ok'));
  const idAt = (t: number) => history.find((w) => w.invokeMs === t)!.id;
  const events = [
    ev('failover', 1000, 1000.5),
    ev('rejoin', 3500, 4200, { rejoin: { node: 'db-1', primary: 'db-2', caughtUpAtMs: 4100, errant: { count: 2, first: ['0-1-11', '0-1-12'], writeIds: [5], resolution: 'discarded' } } }),
    ev('switchover', 6000, 6450),
  ];
  // Lost: one write acked just before the kill, one just before the switchover.
  const lostIds = [idAt(990), idAt(5990)];
  const rows = measureEvents(input(history, events, presentExcept(history, lostIds)));

  it('gives one row per event, in order, each with its own RTO from its own start', () => {
    assert.deepEqual(
      rows.map((r) => [r.index, r.kind, r.rtoMs, r.downtimeMs, r.recoveredAtMs]),
      [
        [1, 'failover', 1000, 1000, 2000],
        [2, 'rejoin', 0, 0, null],
        [3, 'switchover', 300, 300, 6300],
      ],
    );
  });

  it("counts each window's writes: the kill's failures are not the rejoin's", () => {
    assert.deepEqual(
      rows.map((r) => [r.sentWrites, r.failedWrites, r.unknownWrites, r.windowEndMs]),
      [
        [250, 100, 0, 3500],
        [250, 0, 0, 6000],
        [400, 30, 0, 9990],
      ],
    );
  });

  it('gives each lost write to the event that lost it', () => {
    assert.deepEqual(
      rows.map((r) => r.lostWrites),
      [1, 0, 1],
    );
  });

  it("times planned operations (a rejoin until it caught up) and carries the rejoin's errant transactions", () => {
    assert.deepEqual(
      rows.map((r) => [r.withinMs, r.errantTransactions]),
      [
        [null, null],
        [600, 2],
        [450, null],
      ],
    );
    assert.equal(rows[1]!.errant?.resolution, 'discarded');
  });

  it('judges each event against the objectives of its kind', () => {
    const results = evaluateEventObjectives(
      {
        failover: { rtoMs: 800, downtimeMs: undefined, lostWrites: 1, withinMs: undefined, errantTransactions: undefined },
        rejoin: { rtoMs: undefined, downtimeMs: undefined, lostWrites: undefined, withinMs: 30_000, errantTransactions: 0 },
        switchover: { rtoMs: 1000, downtimeMs: undefined, lostWrites: 0, withinMs: undefined, errantTransactions: undefined },
      },
      rows,
    );
    assert.deepEqual(
      results.map((o) => [o.event, o.name, o.measured, o.state]),
      [
        [1, 'rtoMs', 1000, 'missed'],
        [1, 'lostWrites', 1, 'met'],
        [2, 'withinMs', 600, 'met'],
        [2, 'errantTransactions', 2, 'missed'],
        [3, 'rtoMs', 300, 'met'],
        [3, 'lostWrites', 1, 'missed'],
      ],
    );
    assert.equal(results[0]!.precisionMs, rows[0]!.precisionMs);
  });
});

describe('measureEvents: a second fault during the first recovery', () => {
  // Kill at 1000, a second fault at 1500 while writes still fail; they recover at 2500.
  const history = gen(0, 6000, (t) => (between(t, 1000, 2500) ? 'fail' : 'ok'));
  const rows = measureEvents(input(history, [ev('failover', 1000, 1001), ev('failover', 1500, 1501)]));

  it('lets the first share the recovery with the second, and says so', () => {
    assert.equal(rows[0]!.recoveredAtMs, 2500);
    assert.equal(rows[0]!.rtoMs, 1500);
    assert.equal(rows[0]!.overlappedBy, 2);
    assert.match(rows[0]!.notes.join(' '), /event 2 began at 1500 ms, before writes had recovered from this one: they share the recovery/);
    assert.equal(rows[1]!.rtoMs, 1000);
    assert.equal(rows[1]!.overlappedBy, null);
    // The first event's failures are not a sign the second began on an unhealthy system.
    assert.deepEqual(rows[1]!.notes, ["it began while writes were still failing from event 1 (the earlier failures are event 1's)"]);
  });

  it("counts only each window's own writes", () => {
    assert.deepEqual(
      rows.map((r) => r.failedWrites),
      [50, 100],
    );
  });
});

describe('measureEvents: edge cases', () => {
  it('an event whose writes never recover has no RTO, and its RTO objective is not measured', () => {
    const history = gen(0, 5000, (t) => (t >= 1000 ? 'fail' : 'ok'));
    const rows = measureEvents(input(history, [ev('failover', 1000, 1001)]));
    assert.equal(rows[0]!.rtoMs, null);
    const results = evaluateEventObjectives({ failover: { rtoMs: 10_000, downtimeMs: undefined, lostWrites: undefined, withinMs: undefined, errantTransactions: undefined } }, rows);
    assert.equal(results[0]!.state, 'not-measured');
    assert.match(results[0]!.why ?? '', /had not recovered/);
  });

  it("a rejoin that never caught up has no 'within'; lost writes are unknown without a read-back", () => {
    const history = gen(0, 5000, () => 'ok');
    const rows = measureEvents(input(history, [ev('rejoin', 1000, 2000, { rejoin: { node: 'db-1', primary: 'db-2', caughtUpAtMs: null, errant: null } })]));
    assert.equal(rows[0]!.withinMs, null);
    assert.equal(rows[0]!.lostWrites, null);
    assert.equal(rows[0]!.rtoMs, 0);
  });
});

describe('measureEvents: a relapse', () => {
  // The kill at 1000: a blip 1000–1500, stable 1500–3000, failing again 3000–3600; the switchover at 6000: 6000–6300.
  const history = gen(0, 10_000, (t) => (between(t, 1000, 1500) || between(t, 3000, 3600) || between(t, 6000, 6300) ? 'fail' : 'ok'));
  const rows = measureEvents(input(history, [ev('failover', 1000, 1000.5), ev('switchover', 6000, 6450)]));

  it("before the next event is the first event's: its RTO runs to the recovery after it; the next event's failures stay its own", () => {
    assert.deepEqual(
      rows.map((r) => [r.rtoMs, r.downtimeMs, r.recoveredAtMs]),
      [
        [2600, 2600, 3600],
        [300, 300, 6300],
      ],
    );
    assert.ok(
      rows[0]!.notes.some((n) => /failed again/.test(n)),
      rows[0]!.notes.join('\n'),
    );
    assert.ok(!rows[1]!.notes.some((n) => /failed again/.test(n)));
  });
});

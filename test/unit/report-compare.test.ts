import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TimelineEvent } from '../../src/measure/types.js';
import { eventKey, faultOrigin } from '../../src/report/compare-events.js';
import { renderCompareHtml } from '../../src/report/compare-html.js';
import { renderCompareText } from '../../src/report/compare-text.js';
import { compareResults, judge, type FigureChange, type RunComparison } from '../../src/report/compare.js';
import type { ObjectiveResult, ResultJson } from '../../src/report/result.js';

// `drill report --compare`: the pure comparison of two result.json files, from the stored fixtures and
// variants derived from them here (a slower failover, a missing event, a changed load).

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'results');

async function fixture(name: 'pass-redis-kill-master' | 'fail-lost-writes' | 'hostile-error'): Promise<ResultJson> {
  return JSON.parse(await readFile(join(FIXTURES, `${name}.result.json`), 'utf8')) as ResultJson;
}

function fig(list: readonly FigureChange[], key: string): FigureChange {
  const f = list.find((x) => x.key === key);
  assert.ok(f, `no figure ${key} in ${list.map((x) => x.key).join(', ')}`);
  return f;
}

function objective(c: RunComparison, name: string) {
  const o = c.objectives.find((x) => x.name === name);
  assert.ok(o, `no objective ${name}`);
  return o;
}

/** Sets a time figure in both places result.json holds it: the objective and `measured`. */
function setRto(r: ResultJson, rtoMs: number): void {
  r.measured!.rtoMs = rtoMs;
  for (const o of r.objectives) if (o.name === 'rtoMs') o.measured = rtoMs;
}

describe('judge', () => {
  it('is significant only beyond the combined precision; equal is same; no precision is only "changed"', () => {
    assert.equal(judge(100, 100, 10), 'same');
    assert.equal(judge(100, 110, 10), 'within-noise'); // on the bound: could still be noise
    assert.equal(judge(100, 110.01, 10), 'significant');
    assert.equal(judge(100, 89, 10), 'significant');
    assert.equal(judge(5, 6, 0), 'significant'); // exact counts
    assert.equal(judge(5, 6, null), 'changed');
    assert.equal(judge(null, 6, 0), 'one-sided');
    assert.equal(judge(null, null, 0), 'same');
  });
});

describe('compareResults: two stored runs of one drill (PASS, then FAIL with lost writes)', () => {
  it('verdict, drill file change and every objective by name, with delta and significance', async () => {
    const c = compareResults(await fixture('pass-redis-kill-master'), await fixture('fail-lost-writes'));
    assert.equal(c.a.verdict, 'pass');
    assert.equal(c.b.verdict, 'fail');
    assert.equal(c.verdictChanged, true);
    assert.equal(c.sameDrill, true);
    assert.equal(c.drillFileChanged, true);
    assert.ok(c.warnings.some((w) => w.includes('drill file changed')));
    assert.ok(!c.warnings.some((w) => w.includes('different drills')));
    assert.deepEqual(
      c.objectives.map((o) => o.name),
      ['rtoMs', 'lostWrites', 'rpoMs', 'unexpectedWrites'],
    );

    const rto = objective(c, 'rtoMs');
    assert.deepEqual([rto.a, rto.b, rto.delta, rto.precisionA, rto.precisionB, rto.noise, rto.change], [2550.6, 2550.6, 0, 269.7, 269.7, 539.4, 'same']);
    assert.deepEqual([rto.declaredA, rto.declaredB, rto.stateA, rto.stateB], [10000, 10000, 'met', 'met']);

    // Declared in B only: A shows what it measured, as information; counts are exact, so +25 is significant.
    const lost = objective(c, 'lostWrites');
    assert.deepEqual([lost.declaredA, lost.declaredB, lost.stateA, lost.stateB], [null, 0, 'not-declared', 'missed']);
    assert.deepEqual([lost.a, lost.b, lost.delta, lost.noise, lost.change], [0, 25, 25, 0, 'significant']);

    // RPO: 0 (exact: nothing lost) → 215.6 ms ± 245.42 ms (fault call 244.42 + timer 1): inside the noise.
    const rpo = objective(c, 'rpoMs');
    assert.deepEqual([rpo.a, rpo.b, rpo.precisionA, rpo.precisionB, rpo.noise, rpo.change], [0, 215.6, 0, 245.42, 245.42, 'within-noise']);
  });

  it('the measured figures with deltas: counts exact, times against their precision, the rest only "changed"', async () => {
    const c = compareResults(await fixture('pass-redis-kill-master'), await fixture('fail-lost-writes'));
    assert.deepEqual([fig(c.measured, 'lostWrites').delta, fig(c.measured, 'lostWrites').change], [25, 'significant']);
    assert.deepEqual([fig(c.measured, 'ackedAfterFault').a, fig(c.measured, 'ackedAfterFault').b, fig(c.measured, 'ackedAfterFault').change], [0, 12, 'significant']);
    assert.deepEqual([fig(c.measured, 'recoveredWrites').delta, fig(c.measured, 'recoveredWrites').noise], [4, 0]);
    assert.deepEqual([fig(c.measured, 'totalWrites').a, fig(c.measured, 'totalWrites').change], [5398, 'same']);
    assert.deepEqual([fig(c.measured, 'downtimeMs').a, fig(c.measured, 'downtimeMs').noise, fig(c.measured, 'downtimeMs').change], [2532.6, 539.4, 'same']);
    for (const key of ['rtoMs', 'downtimeMs', 'rpoMs', 'ackedWrites', 'failedWrites', 'unknownWrites', 'unexpectedWrites', 'latencyP99Ms', 'precisionMs']) fig(c.measured, key);
  });
});

describe('compareResults: significance of a time against the combined precision', () => {
  for (const [shiftMs, expected] of [
    [600, 'significant'],
    [-540, 'significant'],
    [300, 'within-noise'],
    [539.4, 'within-noise'],
  ] as const) {
    it(`RTO ${shiftMs > 0 ? '+' : ''}${shiftMs} ms with ± 269.7 ms on each side is ${expected}`, async () => {
      const a = await fixture('pass-redis-kill-master');
      const b = await fixture('pass-redis-kill-master');
      setRto(b, 2550.6 + shiftMs);
      const c = compareResults(a, b);
      const rto = objective(c, 'rtoMs');
      assert.equal(rto.delta, shiftMs);
      assert.equal(rto.noise, 539.4);
      assert.equal(rto.change, expected);
      assert.equal(fig(c.measured, 'rtoMs').change, expected);
    });
  }

  it('a value in one run only (B never recovered) is one-sided, with no delta, and says why', async () => {
    const a = await fixture('pass-redis-kill-master');
    const b = await fixture('pass-redis-kill-master');
    b.measured!.rtoMs = null;
    b.objectives = b.objectives.map((o) =>
      o.name === 'rtoMs' ? { ...o, measured: null, met: false, state: 'not-measured' as const, why: 'writes had not recovered (stably) by the end of the load' } : o,
    );
    const rto = objective(compareResults(a, b), 'rtoMs');
    assert.deepEqual([rto.a, rto.b, rto.delta, rto.noise, rto.change, rto.stateB], [2550.6, null, null, null, 'one-sided', 'not-measured']);
    assert.match(rto.whyB ?? '', /not recovered/);
  });
});

describe('compareResults: the system events, from each run’s first fault, paired by marker and order', () => {
  /** B: a later fault, Sentinel's switch-master 800 ms later relative to it, the last sdown missing, a +tilt only B saw. */
  async function slowerFailover(): Promise<{ a: ResultJson; b: ResultJson }> {
    const a = await fixture('pass-redis-kill-master');
    const b = await fixture('pass-redis-kill-master');
    const laterMs = 1000; // B's whole run is 1 s later on its clock: times from the fault must not move
    for (const f of b.faults) {
      f.injectedAtMs += laterMs;
      f.injectReturnedAtMs += laterMs;
    }
    b.measured!.faultAtMs! += laterMs;
    b.events = b.events.map((e) => ({ ...e, atMs: e.atMs + laterMs + (e.marker === 'switch-master' ? 800 : 0) }));
    const lastSdown = b.events.map((e) => e.marker).lastIndexOf('sdown');
    b.events.splice(lastSdown, 1);
    b.events.push({ atMs: b.measured!.faultAtMs! + 4000, source: 'sentinel', message: 'drill-d08b05-sentinel-1: +tilt #tilt mode entered', marker: 'tilt' });
    // The engine's event of the kill, unmarked, in both runs: paired although the container names differ.
    const engine = (r: ResultJson, name: string, afterMs: number): TimelineEvent => ({ atMs: r.measured!.faultAtMs! + afterMs, source: 'docker', message: `${name}: engine event kill (signal 9)` });
    a.events.push(engine(a, 'drill-d08b05-redis-1', 40));
    b.events.push(engine(b, 'drill-7c41e2-redis-1', 65));
    b.runId = '20261122T031210Z-7c41e2';
    return { a, b };
  }

  it('leaves out drill’s own events (runner, load, measure)', async () => {
    const { a, b } = await slowerFailover();
    const c = compareResults(a, b);
    assert.ok(c.events.length > 0);
    for (const e of c.events) assert.ok(!['runner', 'load', 'measure'].includes(e.source), `${e.source} ${e.key}`);
    assert.ok(!c.events.some((e) => e.key === 'fault' || e.key === 'recovered' || e.key === 'load-start'));
  });

  it('times are from each run’s own fault: a run that is later on its clock shows no shift', async () => {
    const { a, b } = await slowerFailover();
    const c = compareResults(a, b);
    assert.deepEqual(c.eventsFromFault, { a: true, b: true });
    const odown = c.events.filter((e) => e.key === 'odown');
    assert.equal(odown.length, 3);
    for (const e of odown) {
      assert.equal(e.shiftMs, 0);
      assert.equal(e.change, 'same');
    }
    const firstSdown = c.events.find((e) => e.key === 'sdown' && e.occurrence === 1)!;
    assert.equal(firstSdown.aMs, Math.round((6075.2 - a.measured!.faultAtMs!) * 100) / 100);
  });

  it('the shift of a matched event is judged against both runs’ fault-instant bounds added', async () => {
    const { a, b } = await slowerFailover();
    const c = compareResults(a, b);
    const bound = faultOrigin(a).boundMs;
    assert.equal(bound, a.measured!.precision!.injectMs); // 244.4 ms: the kill call, no engine event recorded
    const switches = c.events.filter((e) => e.key === 'switch-master');
    assert.deepEqual(
      switches.map((e) => e.occurrence),
      [1, 2, 3],
    );
    for (const e of switches) {
      assert.equal(e.shiftMs, 800);
      assert.equal(e.noiseMs, Math.round(2 * bound * 100) / 100);
      assert.equal(e.change, 'significant'); // 800 ms > 488.8 ms
      assert.equal(e.source, 'sentinel');
    }
  });

  it('several events of one marker pair by order; the rest are in one run only', async () => {
    const { a, b } = await slowerFailover();
    const c = compareResults(a, b);
    const sdown = c.events.filter((e) => e.key === 'sdown');
    assert.deepEqual(
      sdown.map((e) => e.occurrence),
      [1, 2, 3, 4, 5, 6],
    );
    const onlyA = sdown.filter((e) => e.bMs === null);
    assert.equal(onlyA.length, 1);
    assert.equal(onlyA[0]!.occurrence, 6);
    assert.equal(onlyA[0]!.change, 'one-sided');
    assert.equal(onlyA[0]!.shiftMs, null);
    assert.match(onlyA[0]!.messageA ?? '', /\+sdown slave/);
    const tilt = c.events.filter((e) => e.key === 'tilt');
    assert.equal(tilt.length, 1);
    assert.deepEqual([tilt[0]!.aMs, tilt[0]!.bMs, tilt[0]!.change], [null, 4000, 'one-sided']);
  });

  it('unmarked events pair by their message without container names and numbers', async () => {
    const { a, b } = await slowerFailover();
    const c = compareResults(a, b);
    const kill = c.events.filter((e) => e.source === 'docker');
    assert.equal(kill.length, 1, JSON.stringify(kill));
    assert.deepEqual([kill[0]!.aMs, kill[0]!.bMs, kill[0]!.shiftMs, kill[0]!.change], [40, 65, 25, 'within-noise']);
    assert.equal(kill[0]!.key, 'docker: engine event kill (signal #)');
    assert.equal(eventKey('sentinel', 'sentinel-other', 'drill-x-sentinel-1: +new-thing master'), 'sentinel-other +new-thing');
  });

  it('pairs come in the order they happened', async () => {
    const { a, b } = await slowerFailover();
    const times = compareResults(a, b).events.map((e) => Math.min(e.aMs ?? Infinity, e.bMs ?? Infinity));
    assert.deepEqual(
      times,
      times.slice().sort((x, y) => x - y),
    );
  });

  it('without a fault in a run, times stay on the run clock and no shift is judged significant', async () => {
    const a = await fixture('pass-redis-kill-master');
    const b = await fixture('pass-redis-kill-master');
    b.faults = [];
    b.measured!.faultAtMs = null;
    const c = compareResults(a, b);
    assert.deepEqual(c.eventsFromFault, { a: true, b: false });
    const e = c.events.find((x) => x.key === 'odown')!;
    assert.equal(e.bMs, 6216.9);
    assert.equal(e.noiseMs, null);
    assert.equal(e.change, 'changed');
  });
});

describe('compareResults: faults, load and environment', () => {
  it('fault timings by injection order, with deltas', async () => {
    const a = await fixture('pass-redis-kill-master');
    const b = await fixture('pass-redis-kill-master');
    b.faults[0]!.injectReturnedAtMs = b.faults[0]!.injectedAtMs + 100;
    b.faults[0]!.effectByMs = b.faults[0]!.injectedAtMs + 40;
    const [f] = compareResults(a, b).faults;
    assert.ok(f);
    assert.equal(f.whatA, 'kill primary → drill-d08b05-redis-1');
    assert.deepEqual([fig(f.figures, 'callMs').a, fig(f.figures, 'callMs').b, fig(f.figures, 'callMs').delta], [244.42, 100, -144.42]);
    assert.deepEqual([fig(f.figures, 'boundMs').a, fig(f.figures, 'boundMs').b], [244.42, 40]);
    assert.equal(fig(f.figures, 'injectedAtMs').change, 'same');
  });

  it('load settings and environment differences (images by name, versions, the drill)', async () => {
    const a = await fixture('pass-redis-kill-master');
    const b = await fixture('pass-redis-kill-master');
    b.load.rate = 500;
    b.environment.node = 'v22.1.0';
    b.environment.images = { ...b.environment.images, mariadb: 'drill/mariadb:123' };
    b.drill.name = 'redis-sentinel-kill-master-tuned';
    const c = compareResults(a, b);
    assert.deepEqual([fig(c.load, 'rate').a, fig(c.load, 'rate').b, fig(c.load, 'rate').delta, fig(c.load, 'rate').change], [300, 500, 200, 'changed']);
    assert.equal(fig(c.load, 'connections').change, 'same');
    const env = (key: string) => c.environment.find((e) => e.key === key)!;
    assert.deepEqual([env('node').a, env('node').b, env('node').changed], ['v20.20.2', 'v22.1.0', true]);
    assert.equal(env('drillVersion').changed, false);
    assert.deepEqual([env('image:mariadb').a, env('image:mariadb').b, env('image:mariadb').changed], [null, 'drill/mariadb:123', true]);
    assert.equal(env('image:redis').changed, false);
    assert.equal(c.sameDrill, false);
    assert.ok(c.warnings.some((w) => w.startsWith('different drills')));
  });

  it('tolerates a result that measured nothing (aborted before the load)', async () => {
    const a = await fixture('pass-redis-kill-master');
    const b = await fixture('pass-redis-kill-master');
    Object.assign(b, { verdict: 'aborted', measured: null, faults: [], events: [] });
    b.objectives = b.objectives.map((o) => ({ ...o, measured: null, met: false, state: 'not-measured' as const }));
    const c = compareResults(a, b);
    assert.equal(fig(c.measured, 'rtoMs').change, 'one-sided');
    assert.ok(c.events.every((e) => e.bMs === null));
    assert.ok(renderCompareText(c).includes('only in A'));
    assert.ok(renderCompareHtml(c).startsWith('<!DOCTYPE html>'));
  });
});

describe('compareResults: objectives this code may not know yet', () => {
  it('a minimum objective in percent (availability) keeps its bound, unit and decimals', async () => {
    const a = await fixture('pass-redis-kill-master');
    const b = await fixture('pass-redis-kill-master');
    // Built as a newer result.json would hold it; read as text, so the cast stands for "from disk".
    const availability = (measured: number) => ({ name: 'availability', declared: 99.9, bound: 'min', measured, met: true, state: 'met', unit: 'percent' }) as unknown as ObjectiveResult;
    a.objectives.push(availability(99.99997047));
    b.objectives.push(availability(99.99995));
    const c = compareResults(a, b);
    const o = objective(c, 'availability');
    assert.deepEqual([o.unit, o.boundA, o.boundB, o.a, o.b, o.delta, o.change], ['percent', 'min', 'min', 99.99997047, 99.99995, -0.00002047, 'changed']);
    assert.match(renderCompareText(c), /^ {2}[Aa]vailability +≥ 99\.9 % +≥ 99\.9 % +99\.99997 % +99\.99995 % +−0\.00002 % +changed/m);
  });
});

describe('renderings', () => {
  it('text: the key figures, in aligned columns, significant changes in capitals', async () => {
    const text = renderCompareText(compareResults(await fixture('pass-redis-kill-master'), await fixture('fail-lost-writes')));
    assert.match(text, /verdict: PASS → FAIL/);
    assert.match(text, /warning: the drill file changed/);
    assert.match(text, /^ {2}Lost writes .* 0 +25 +\+25 +exact +SIGNIFICANT +not declared → missed$/m);
    assert.match(text, /^ {2}RTO .*2\.551 s ± 269\.7 ms +2\.551 s ± 269\.7 ms +0 ms +± 539\.4 ms +same/m);
    // One table: every row's "change" column starts at the same place.
    const lines = text.split('\n');
    const start = lines.indexOf('Measured') + 1;
    const table = lines.slice(start, lines.indexOf('', start));
    const col = table[0]!.indexOf('change');
    assert.ok(col > 0);
    for (const row of table.slice(1)) assert.match(row.slice(col), /^(same|SIGNIFICANT|within noise|changed|only in [AB])/, row);
  });

  it('text strips control characters; HTML escapes every value and loads nothing', async () => {
    const hostile = await fixture('hostile-error');
    hostile.drill.name = 'x\u001b[31mred\u0007';
    const c = compareResults(await fixture('pass-redis-kill-master'), hostile);
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(renderCompareText(c)));
    const page = renderCompareHtml(compareResults(await fixture('pass-redis-kill-master'), await fixture('hostile-error')));
    assert.ok(!page.includes('<img src=x'), 'hostile text escaped');
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!/<script/i.test(page));
    assert.ok(page.includes(`content="default-src 'none'`));
    assert.ok(!/\b(src|href)="(https?:)?\/\//.test(page), 'no external resource');
  });
});

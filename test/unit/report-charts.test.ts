import assert from 'node:assert/strict';
import type { MarkerKind } from '../../src/measure/markers.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { binTimeline, MAX_BINS } from '../../src/report/chart-bins.js';
import { collectMarkers } from '../../src/report/chart-markers.js';
import { renderReportHtml } from '../../src/report/html-report.js';
import type { ResultJson } from '../../src/report/result.js';
import { chartFrame, faultView } from '../../src/report/timeline-svg.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'results');
const fixture = async (name: string): Promise<ResultJson> => JSON.parse(await readFile(join(FIXTURES, `${name}.result.json`), 'utf8')) as ResultJson;

/** A 2-minute run at 10 ms buckets (12,000 buckets) with an outage from 60 s to 62.5 s. */
async function longRun(): Promise<ResultJson> {
  const r = await fixture('pass-redis-kill-master');
  const buckets = [];
  for (let t = 0; t < 120_000; t += 10) {
    const down = t >= 60_000 && t < 62_500;
    buckets.push({ startMs: t, ok: down ? 0 : 3, fail: down ? 3 : 0, unknown: 0, p50Ms: down ? null : 0.5 + (t % 70) / 100, p99Ms: down ? null : 2 + (t % 130) / 10 });
  }
  r.timeline = { bucketMs: 10, buckets };
  r.measured = { ...r.measured!, faultAtMs: 60_000, recoveredAtMs: 62_500, rtoMs: 2500, stableMs: 1000 };
  r.faults = [{ ...r.faults[0]!, injectedAtMs: 60_000, injectReturnedAtMs: 60_080 }];
  r.events = [
    { atMs: 60_000, source: 'runner', marker: 'fault', message: 'fault kill primary' },
    { atMs: 61_000, source: 'sentinel', marker: 'sdown', message: 's1 +sdown' },
    { atMs: 61_050, source: 'sentinel', marker: 'sdown', message: 's2 +sdown' },
    { atMs: 61_300, source: 'runner', marker: 'runbook-page-oncall' as MarkerKind, message: 'paged the on-call' },
    { atMs: 61_400, source: 'runner', marker: 'runbook-page-oncall' as MarkerKind, message: 'paged again' },
    { atMs: 62_300, source: 'sentinel', marker: 'switch-master', message: '+switch-master' },
    { atMs: 62_500, source: 'measure', marker: 'recovered', message: 'writes recovered' },
    { atMs: 62_600, source: 'sentinel', marker: 'tilt', message: 'not charted' },
  ];
  return r;
}

describe('binTimeline', () => {
  it('merges a 2-minute run at 10 ms buckets to at most MAX_BINS bars, keeping every write', async () => {
    const r = await longRun();
    const { bins, merge, bucketMs } = binTimeline(r);
    assert.equal(bucketMs, 10);
    assert.equal(merge, Math.ceil(12_000 / MAX_BINS));
    assert.ok(bins.length <= MAX_BINS, `${bins.length} bins`);
    const sum = (k: 'ok' | 'fail') => bins.reduce((s, b) => s + b[k], 0);
    assert.equal(sum('ok'), 3 * 11_750);
    assert.equal(sum('fail'), 3 * 250);
    assert.ok(bins.every((b) => b.spanMs === merge * 10));
    // p99 of a merged bar is the worst of its buckets (conservative): never below any bucket's p99.
    const worst = Math.max(...r.timeline.buckets.map((b) => b.p99Ms ?? 0));
    assert.equal(Math.max(...bins.map((b) => b.p99Ms ?? 0)), worst);
  });

  it('the zoom around the fault draws the buckets as recorded', async () => {
    const r = await longRun();
    const view = faultView(r)!;
    assert.deepEqual(view, { fromMs: 59_000, toMs: 64_500 });
    const frame = chartFrame(r, view)!;
    assert.equal(frame.bins.merge, 1);
    assert.equal(frame.bins.bins.length, 550);
  });
});

describe('collectMarkers', () => {
  it('draws repeated evidence once (with its count), every runbook step, and nothing unknown', async () => {
    const markers = collectMarkers(await longRun());
    assert.deepEqual(
      markers.map((m) => [m.key, m.atMs, m.count]),
      [
        ['fault', 60_000, 1],
        ['sdown', 61_000, 2],
        ['runbook-page-oncall', 61_300, 1],
        ['runbook-page-oncall-2', 61_400, 1],
        ['switch-master', 62_300, 1],
        ['recovered', 62_500, 1],
      ],
    );
    assert.equal(markers[2]!.label, 'runbook: page-oncall');
  });

  it('groups repeated evidence per drill event: the second failover is drawn at its own time', async () => {
    // A real run (two master kills, Sentinel failing over twice), stored as a report fixture.
    const result = JSON.parse(await readFile(join(FIXTURES, 'pass-two-failovers.result.json'), 'utf8')) as ResultJson;
    const secondStartMs = result.perEvent![1]!.startMs;
    const markers = collectMarkers(result);
    const first = markers.find((m) => m.key === 'switch-master');
    const second = markers.find((m) => m.key === 'switch-master@2');
    assert.ok(first && second, markers.map((m) => m.key).join(', '));
    assert.ok(first.atMs < secondStartMs && second.atMs > secondStartMs, `${first.atMs} / ${second.atMs} around ${secondStartMs}`);
  });
});

describe('report.html sections', () => {
  it('a long run renders both charts, the merge note and every marker, within a sane size', async () => {
    const page = renderReportHtml(await longRun());
    assert.match(page, /data-testid="timeline-overview"/);
    assert.match(page, /data-testid="timeline-zoom"/);
    assert.match(page, /data-testid="latency-zoom"/);
    assert.match(page, /Each bar merges 8 recorded 10 ms buckets/);
    for (const key of ['fault', 'sdown', 'runbook-page-oncall', 'switch-master', 'recovered']) assert.match(page, new RegExp(`data-testid="marker-${key}"`));
    assert.match(page, />sdown ×2<\/text>/);
    assert.ok(page.length < 900_000, `${page.length} bytes`);
  });

  it('objectives: declared vs measured with precision and margin; undeclared numbers shown as information', async () => {
    const page = renderReportHtml(await fixture('fail-lost-writes'));
    assert.match(page, /data-testid="objective-lostWrites" data-declared="yes" data-state="missed" class="row-missed">/);
    assert.match(page, /data-testid="objective-downtimeMs" data-declared="no"/);
    assert.match(page, /data-testid="measured" data-value="215.6">215.6 ms<\/td>\n<td class="num" data-testid="precision" data-value="245.42"/);
    assert.match(page, /over by 115.6 ms <span class="warn"[^>]*>\(within precision\)/);
    assert.match(page, /<b>12<\/b> of them were acknowledged after the fault/);
  });

  it('replica divergence: a table when measured, "not measured for this stack" otherwise', async () => {
    assert.match(renderReportHtml(await fixture('pass-redis-kill-master')), /data-testid="divergence-not-measured">Not measured for this stack \(redis-sentinel\)/);
    const hostile = renderReportHtml(await fixture('hostile-error'));
    assert.match(hostile, /data-testid="divergence-row"><td><code>&lt;img src=x onerror=alert\(1\)&gt;-redis-3<\/code>/);
    assert.match(hostile, /<span class="missed">diverged<\/span>/);
  });

  it('escapes outside text inside SVG <title> and <text> too', async () => {
    const page = renderReportHtml(await fixture('hostile-error'));
    assert.ok(!page.includes('<img') && !/<\/?script/i.test(page));
    assert.match(page, /<text [^>]*class="marker"[^>]*>runbook: &lt;img src=x onerror=alert\(1\)&gt;<\/text>/);
    assert.match(page, /<title>runner: runbook step &lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; at 6.5 s/);
  });

  it('has print rules', async () => {
    const page = renderReportHtml(await fixture('pass-redis-kill-master'));
    assert.match(page, /@media print \{/);
    assert.match(page, /@page \{ size: A4 landscape/);
  });
});

import assert from 'node:assert/strict';
import type { MarkerKind } from '../../src/measure/markers.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { WriteRecord } from '../../src/load/history.js';
import { eventsFromMeasured } from '../../src/measure/events.js';
import { measure } from '../../src/measure/measure.js';
import { evaluateObjectives, verdictOf } from '../../src/measure/objectives.js';
import { buildTimeline, timelineRange } from '../../src/measure/timeline.js';
import type { FaultRecord } from '../../src/measure/types.js';
import { escapeHtml } from '../../src/report/escape.js';
import { renderReportHtml } from '../../src/report/html-report.js';
import type { ResultJson } from '../../src/report/result.js';
import { renderSummaryText } from '../../src/report/summary-text.js';
import { writeRunReports } from '../../src/outputs/write-outputs.js';

const HOSTILE = '<img src=x onerror=alert(1)>';

/** A 2-minute run at 100 ms buckets (1200 buckets): outage 5.0–7.3 s, two acked writes lost. */
function sampleResult(over: Partial<ResultJson> = {}): ResultJson {
  const history: WriteRecord[] = [];
  for (let t = -1000, id = 1; t < 119_000; t += 2, id++) {
    history.push({ id, scheduledMs: t, invokeMs: t, completeMs: t + 1, outcome: t >= 5000 && t < 7300 ? (t < 6000 ? 'fail' : 'unknown') : 'ok' });
  }
  const present = new Set(history.filter((w) => w.outcome === 'ok' && w.invokeMs !== 4990 && w.invokeMs !== 4994).map((w) => w.id));
  const faults: FaultRecord[] = [{ kind: 'kill', target: 'primary', container: 'drill-abc-redis-1', injectedAtMs: 5000, injectReturnedAtMs: 5082 }];
  const m = measure({ history, faults, presentIds: present, stableMs: 1000, bucketMs: 100, timerResolutionMs: 1 });
  const objectives = evaluateObjectives({ rtoMs: 5000, downtimeMs: undefined, lostWrites: 0, rpoMs: undefined, unexpectedWrites: 0, availability: undefined }, m);
  const range = timelineRange(history, 100, [5000]);
  return {
    schemaVersion: 1,
    runId: 'run-123',
    drill: { name: 'redis-kill-master', description: 'Kill the master.', file: 'drills/redis.yaml', sha256: 'ab'.repeat(32), source: 'name: redis-kill-master\n' },
    verdict: verdictOf(objectives),
    reason: 'lostWrites: 2 > 0',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:02:30.000Z',
    clockOriginEpochMs: 1_735_689_603_000,
    objectives,
    measured: m,
    faults,
    events: [
      { atMs: 5000, source: 'runner', marker: 'fault', message: 'kill primary' },
      { atMs: 7250, source: 'sentinel', marker: 'switch-master', message: '+switch-master mymaster 10.0.0.2 6379 10.0.0.3 6379' },
      ...eventsFromMeasured(m),
    ],
    timeline: { bucketMs: 100, buckets: buildTimeline(history, 100, range.fromMs, range.toMs, present) },
    load: { rate: 500, connections: 16, timeoutMs: 1000, warmupMs: 3000, durationMs: 120_000, sentWrites: history.length, lateSends: 0, maxSendLagMs: 1.2 },
    stack: { kind: 'redis-sentinel', primaryBefore: 'drill-abc-redis-1', primaryAfter: 'drill-abc-redis-2', containers: [{ name: 'drill-abc-redis-1', role: 'primary', image: 'drill/redis:local' }] },
    phasesMs: { preflight: 120, up: 2400, warmup: 3000, steps: 120_000, verify: 300, down: 900 },
    environment: { drillVersion: '0.1.0', node: 'v20.20.2', dockerEngine: '26.1.5', images: { redis: 'sha256:abc' }, host: 'ci-1' },
    ...over,
  };
}

describe('renderReportHtml', () => {
  const result = sampleResult();
  const page = renderReportHtml(result);

  it('shows the verdict, the reason and the numbers with their precision', () => {
    assert.equal(result.verdict, 'fail');
    assert.match(page, /<div class="badge v-fail" data-testid="verdict">FAIL<\/div>/);
    assert.match(page, /lostWrites: 2 &gt; 0/);
    assert.match(page, /redis-kill-master/);
    assert.ok(page.includes('2.3 s ± 85 ms'), 'RTO with precision (2 ms gap + 1 ms timer + 82 ms kill call)');
    assert.match(page, /data-testid="measured-lostWrites" data-value="2"><div class="k">Lost \(acked, missing\)<\/div><div class="v">2</);
    assert.match(page, /Unknown outcome<\/div><div class="v">650</);
    assert.match(page, /\+switch-master<\/b> 2\.25 s after the fault; clients recovered 50 ms after it/);
  });

  it('shows each fault instant with what bounds it: the injecting call without evidence, else the evidence', () => {
    assert.match(page, /data-testid="fault-instant">5 s … 5\.082 s<br><span class="muted">the injecting call<\/span>/);
    const bounded = renderReportHtml(
      sampleResult({
        faults: [
          {
            kind: 'kill',
            target: 'primary',
            container: 'c',
            injectedAtMs: 5000,
            injectReturnedAtMs: 5250,
            effectFromMs: 5031,
            effectByMs: 5060,
            effectEvidence: 'engine event kill (signal 9), acted at most 29 ms before it',
          },
        ],
      }),
    );
    assert.match(bounded, /data-testid="fault-instant">5\.031 s … 5\.06 s<br><span class="muted">engine event kill \(signal 9\), acted at most 29 ms before it<\/span>/);
  });

  it('is self-contained: no script, no external resource', () => {
    assert.ok(!/<script/i.test(page));
    assert.ok(!/\b(src|href)=/i.test(page), 'no src/href attributes at all');
    assert.ok(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(page));
    assert.match(page, /Content-Security-Policy/);
  });

  it('draws the timeline as inline SVG with stacked rect bars, markers and the RTO window', () => {
    assert.match(page, /<svg class="timeline"/);
    const rects = page.match(/<rect /g)?.length ?? 0;
    assert.ok(rects > 1200, `${rects} rects`);
    assert.match(page, /fill="#cf222e" class="bars-fail"><rect/); // fail bars
    assert.match(page, /fill="#d4a72c" class="bars-unknown"><rect/); // unknown bars
    assert.match(page, />switch-master<\/text>/);
    assert.match(page, />recovered<\/text>/);
    assert.match(page, />first failure<\/text>/);
    assert.match(page, />kill primary<\/text>/);
    assert.match(page, /RTO 2\.3 s<\/text>/);
    assert.match(page, />60 s<\/text>/); // an axis in seconds
    assert.ok(page.length < 600_000, `${page.length} bytes`);
  });

  it('a refusal spike does not flatten normal traffic: bars are clipped and it says so', () => {
    const r = sampleResult();
    r.timeline.buckets[60] = { ...r.timeline.buckets[60]!, ok: 0, fail: 24_000 };
    const out = renderReportHtml(r);
    assert.match(out, /Bars are clipped at 200 writes per bar \(peak 24000\)/);
  });

  it('lists the first lost writes relative to the fault', () => {
    assert.match(page, /<td class="num">−9 ms<\/td><td>before the fault \(not yet replicated\)<\/td>/);
  });

  it('escapes everything from outside', () => {
    const hostile = sampleResult({
      verdict: 'error',
      reason: `boom ${HOSTILE}`,
      drill: { name: HOSTILE, description: `"quoted" & ${HOSTILE}`, file: HOSTILE, sha256: HOSTILE, source: HOSTILE },
      faults: [{ kind: HOSTILE, target: HOSTILE, container: HOSTILE, injectedAtMs: 5000, injectReturnedAtMs: 5001 }],
      events: [
        { atMs: 7000, source: 'sentinel', marker: 'switch-master', message: HOSTILE },
        { atMs: 7100, source: 'docker', marker: HOSTILE as MarkerKind, message: 'x' },
      ],
      stack: { kind: HOSTILE, primaryBefore: HOSTILE, primaryAfter: null, containers: [{ name: HOSTILE, role: HOSTILE, image: HOSTILE }] },
      phasesMs: { [HOSTILE]: 1 },
      environment: { drillVersion: HOSTILE, node: HOSTILE, dockerEngine: null, images: { [HOSTILE]: HOSTILE }, host: HOSTILE },
    });
    hostile.measured!.notes.push(HOSTILE);
    const out = renderReportHtml(hostile);
    assert.ok(!out.includes('<img'), 'raw <img must not appear');
    assert.ok(out.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.match(out, /<div class="badge v-error" data-testid="verdict">ERROR<\/div>/);
    assert.ok(!out.includes('" & '), 'quotes and ampersands escaped');
  });

  it('renders a run that ended before measuring (aborted, no measurement, no timeline)', () => {
    const out = renderReportHtml(sampleResult({ verdict: 'aborted', measured: null, objectives: [], timeline: { bucketMs: 100, buckets: [] }, faults: [], events: [] }));
    assert.match(out, /v-aborted" data-testid="verdict">ABORTED/);
    assert.match(out, /ended before anything could be measured/);
    assert.match(out, /No timeline data/);
  });

  it('a not-recovered run says so and shades to the end', () => {
    const r = sampleResult();
    r.measured = { ...r.measured!, rtoMs: null, downtimeMs: null, recoveredAtMs: null };
    r.objectives = evaluateObjectives({ rtoMs: 5000, downtimeMs: undefined, lostWrites: undefined, rpoMs: undefined, unexpectedWrites: 0, availability: undefined }, r.measured);
    const out = renderReportHtml(r);
    assert.match(out, /not recovered<\/text>/);
    assert.match(out, /data-state="not-measured" class="row-unmeasured"/);
    assert.match(out, /\? not measured<\/span><div class="muted small" data-testid="why">writes had not recovered \(stably\) by the end of the load/);
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(escapeHtml(null), '');
    assert.equal(escapeHtml(12), '12');
  });
});

describe('renderSummaryText', () => {
  it('gives verdict, objectives declared vs measured and counts', () => {
    const text = renderSummaryText(sampleResult());
    assert.match(text, /^FAIL {2}redis-kill-master\n/);
    assert.match(text, /ok {3}RTO {16}2\.3 s ± 85 ms \(max 5 s\)/);
    assert.match(text, /MISS Lost writes {8}2 \(max 0\)/);
    assert.match(text, /2 lost \(0 acked after the fault\)/);
  });

  it('strips control characters from outside text', () => {
    const text = renderSummaryText(sampleResult({ reason: 'evil\u001b[31mred\u0007' }));
    assert.ok(!text.includes('\u001b'));
    assert.ok(!text.includes('\u0007'));
  });
});

describe('writeRunReports', () => {
  it('writes result.json (pretty, round-trips) and report.html into a new directory', async () => {
    const result = sampleResult();
    const dir = await mkdtemp(join(tmpdir(), 'drill-report-test-'));
    const out = join(dir, 'runs', 'run-123');
    const { resultPath, htmlPath } = await writeRunReports(out, result);
    assert.equal(resultPath, join(out, 'result.json'));
    assert.equal(htmlPath, join(out, 'report.html'));
    const json = await readFile(resultPath, 'utf8');
    assert.match(json, /^\{\n {2}"schemaVersion": 1,/);
    assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(result)));
    assert.match(await readFile(htmlPath, 'utf8'), /^<!DOCTYPE html>/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('report.html: layers', () => {
  const layer: NonNullable<ResultJson['layers']>[number] = {
    kind: 'backup',
    method: 'rdb',
    everyMs: 2000,
    keep: 3,
    containers: [{ name: 'drill-abc-backup-store', role: 'backup-store', image: 'drill/redis:x' }],
    backups: [
      { seq: 1, node: 'redis-1', startedAtMs: 0, endedAtMs: 150, ok: true, bytes: 1024, file: '/backups/backup-000001.rdb' },
      { seq: 2, node: HOSTILE, startedAtMs: 6000, endedAtMs: 8000, ok: false, bytes: null, file: null, error: HOSTILE },
    ],
    restore: { seq: 1, file: '/backups/backup-000001.rdb', restoreMs: 120, writes: 500 },
    lostIfRestored: 40,
    restoreRpoMs: 850,
    checks: [
      { name: 'restore', ok: true, measured: '120 ms', detail: 'backup #1 restored' },
      { name: 'restore RPO', ok: false, declared: '≤ 500ms', measured: '850ms', detail: HOSTILE },
    ],
  };

  it('shows each check (failed ones marked) and each backup, escaped; no section without layers', () => {
    const page = renderReportHtml(sampleResult({ layers: [layer] }));
    assert.match(page, /data-testid="layers-section"/);
    assert.equal(page.match(/data-testid="layer-check"/g)?.length, 2);
    assert.match(page, /data-testid="layer-check" data-ok="false"/);
    assert.equal(page.match(/data-testid="backup-row"/g)?.length, 2);
    assert.match(page, /1 \(restored\)/);
    assert.ok(!page.includes(HOSTILE), 'a node name or error from outside is escaped');
    assert.doesNotMatch(renderReportHtml(sampleResult()), /layers-section/);
    assert.match(renderSummaryText(sampleResult({ layers: [layer] })), /FAIL backup: restore RPO: 850ms \(≤ 500ms\)/);
  });
});

describe('report.html: lost writes on the timeline', () => {
  it('each bucket counts its lost writes, drawn in their own colour where they were sent, with the count', () => {
    const r = sampleResult();
    const lostBuckets = r.timeline.buckets.filter((b) => (b.lost ?? 0) > 0);
    assert.deepEqual(
      lostBuckets.map((b) => [b.startMs, b.lost]),
      [[4900, 2]],
      'writes sent at 4990 and 4994 ms were acknowledged and lost',
    );
    const page = renderReportHtml(r);
    assert.match(page, /data-testid="bars-lost" data-count="2"/);
    assert.match(page, /<title>2 acknowledged, then lost \(sent 4\.9 s … 5(\.0)? s\)<\/title>/);
    assert.match(page, /acknowledged, then lost<\/span>/, 'in the legend');
  });
});

describe('report.html: the RPO window', () => {
  it('is shaded from the last safe acknowledgement to the fault when writes were lost, and absent otherwise', () => {
    const r = sampleResult();
    const page = renderReportHtml(r);
    assert.match(page, /data-testid="rpo-window"><title>RPO [^<]+<\/title>/);
    r.measured = { ...r.measured!, lostWrites: 0, rpoMs: 0, lastSafeAckMs: null };
    assert.doesNotMatch(renderReportHtml(r), /data-testid="rpo-window"/);
  });
});

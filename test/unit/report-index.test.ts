import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reportCommand } from '../../src/cli/report-command.js';
import type { MonitoringLayerResult, ResultJson } from '../../src/report/result.js';
import { scanReports, writeReportsIndex } from '../../src/report/reports-index.js';
import { updateLatestLink } from '../../src/report/latest-link.js';
import { UsageError } from '../../src/util/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'results');
const NAMES = ['pass-redis-kill-master', 'fail-lost-writes', 'hostile-error'] as const;
const fixture = async (name: string): Promise<ResultJson> => JSON.parse(await readFile(join(FIXTURES, `${name}.result.json`), 'utf8')) as ResultJson;

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'drill-index-test-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A reports dir with the three fixtures (as their run ids), a corrupt run, a wrong schema, and a non-run directory. */
async function reportsDir(name: string): Promise<{ dir: string; results: ResultJson[] }> {
  const dir = join(root, name);
  const results: ResultJson[] = [];
  for (const n of NAMES) {
    const r = await fixture(n);
    results.push(r);
    await mkdir(join(dir, r.runId), { recursive: true });
    await writeFile(join(dir, r.runId, 'result.json'), JSON.stringify(r));
  }
  await mkdir(join(dir, '20261122T050000Z-corrupt'));
  await writeFile(join(dir, '20261122T050000Z-corrupt', 'result.json'), '{"schemaVersion": 1, "verdict": "pa'); // a run cut off mid-write
  await mkdir(join(dir, '20261122T050100Z-future'));
  await writeFile(join(dir, '20261122T050100Z-future', 'result.json'), JSON.stringify({ schemaVersion: 99, verdict: 'pass', drill: { name: 'x' } }));
  await mkdir(join(dir, 'not-a-run'));
  await writeFile(join(dir, 'notes.txt'), 'a stray file');
  return { dir, results };
}

describe('scanReports / writeReportsIndex', () => {
  it('lists every readable run newest first and skips corrupt ones with a warning, never throwing', async () => {
    const { dir, results } = await reportsDir('a');
    const scan = await scanReports(dir);
    const newestFirst = results
      .slice()
      .sort((x, y) => Date.parse(y.startedAt) - Date.parse(x.startedAt))
      .map((r) => r.runId);
    assert.deepEqual(
      scan.runs.map((r) => r.runId),
      newestFirst,
    );
    assert.equal(scan.warnings.length, 2);
    assert.match(scan.warnings[0]!, /^20261122T050000Z-corrupt\/result\.json: skipped, not valid JSON/);
    assert.match(scan.warnings[1]!, /^20261122T050100Z-future\/result\.json: skipped, schemaVersion 99 \(1 expected\)/);

    const fail = scan.runs.find((r) => r.verdict === 'fail')!;
    assert.equal(fail.lostWrites, 25);
    assert.equal(fail.lostDeclared, 0);
    assert.equal(fail.rtoMs, 2550.6);
    assert.equal(fail.rtoDeclaredMs, 10_000);

    const warnings: string[] = [];
    const path = await writeReportsIndex(dir, { onWarning: (w) => warnings.push(w) });
    assert.equal(path, join(dir, 'index.html'));
    assert.deepEqual(warnings, scan.warnings);
    const page = await readFile(path, 'utf8');
    const rows = [...page.matchAll(/data-testid="run-row" data-run-id="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(rows, newestFirst, 'the page lists the runs newest first');
    assert.equal(page.match(/<svg class="trend"/g)?.length, 2, 'one trend chart per drill');
    assert.equal(page.match(/data-testid="trend-point"/g)?.length, 3);
    assert.match(page, /skipped, not valid JSON/);
    assert.match(page, /href="20261122T031210Z-7c41e2\/result\.json"/);
    assert.ok(!page.includes('<img') && !page.includes('<script'), 'the hostile drill name is escaped');
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)/.test(page), 'no network');
  });

  it('a missing or empty reports directory gives an empty index, not an error', async () => {
    const dir = join(root, 'missing', 'reports');
    assert.deepEqual(await scanReports(dir), { runs: [], warnings: [] });
    const page = await readFile(await writeReportsIndex(dir), 'utf8');
    assert.match(page, /No run reports yet/);
  });

  it('runs without a readable start time sort last; ties break by run id', async () => {
    const dir = join(root, 'times');
    const base = await fixture('pass-redis-kill-master');
    for (const [runId, startedAt] of [
      ['r1', 'garbage'],
      ['r2', '2026-01-01T00:00:00Z'],
      ['r3', '2026-01-01T00:00:00Z'],
      ['r4', '2027-01-01T00:00:00Z'],
    ] as const) {
      await mkdir(join(dir, runId), { recursive: true });
      await writeFile(join(dir, runId, 'result.json'), JSON.stringify({ ...base, runId, startedAt }));
    }
    assert.deepEqual(
      (await scanReports(dir)).runs.map((r) => r.runId),
      ['r4', 'r3', 'r2', 'r1'],
    );
  });
});

describe('drill report', () => {
  it('<run dir>: rebuilds report.html and junit.xml from result.json (never rewriting it), then the parent index', async () => {
    const { dir, results } = await reportsDir('b');
    const run = join(dir, results[1]!.runId);
    const before = await readFile(join(run, 'result.json'), 'utf8');
    await reportCommand({ dir: run });
    assert.equal(await readFile(join(run, 'result.json'), 'utf8'), before, 'result.json untouched');
    assert.match(await readFile(join(run, 'report.html'), 'utf8'), /data-testid="verdict">FAIL</);
    assert.match(await readFile(join(run, 'junit.xml'), 'utf8'), /failures="2"/);
    assert.match(await readFile(join(dir, 'index.html'), 'utf8'), /data-testid="report-link"/);
  });

  it('<reports dir>: rebuilds only the index', async () => {
    const { dir, results } = await reportsDir('c');
    await reportCommand({ dir });
    assert.ok((await stat(join(dir, 'index.html'))).isFile());
    await assert.rejects(stat(join(dir, results[0]!.runId, 'report.html')), /ENOENT/);
  });

  it('a corrupt result.json in a run dir, or no directory at all, is a usage error', async () => {
    const { dir } = await reportsDir('d');
    await assert.rejects(reportCommand({ dir: join(dir, '20261122T050000Z-corrupt') }), (e: unknown) => e instanceof UsageError && /cannot read a result/.test(e.message));
    await assert.rejects(reportCommand({ dir: join(dir, '20261122T050100Z-future') }), (e: unknown) => e instanceof UsageError && /schemaVersion 1 expected/.test(e.message));
    await assert.rejects(reportCommand({ dir: join(dir, 'nope') }), (e: unknown) => e instanceof UsageError && /not a directory/.test(e.message));
  });
});

describe('reports index: availability from a drill history', () => {
  it('five runs with a declared MTBF: MTTR, worst case, success rate, availability, nines and yearly downtime, as worked out by hand', async () => {
    const dir = join(root, 'availability');
    const base = await fixture('pass-redis-kill-master');
    const rtos = [2000, 2500, 3000, 2500, 2000];
    for (const [i, rtoMs] of rtos.entries()) {
      const runId = `20261201T0${i}0000Z-av${i}`;
      const r: ResultJson = {
        ...base,
        runId,
        verdict: i === 2 ? 'fail' : 'pass',
        startedAt: `2026-12-01T0${i}:00:00.000Z`,
        measured: { ...base.measured!, rtoMs },
        availability: { mtbfMs: 30 * 86_400_000 },
        // Six nines declared in the latest run only (the file changed): the index takes the latest.
        objectives: i === 4 ? [...base.objectives, { name: 'availability', declared: 99.9999, bound: 'min', measured: null, met: false, unit: 'percent' }] : base.objectives,
      };
      await mkdir(join(dir, runId), { recursive: true });
      await writeFile(join(dir, runId, 'result.json'), JSON.stringify(r));
    }
    const page = await readFile(await writeReportsIndex(dir), 'utf8');
    const value = (id: string) => Number(new RegExp(`data-testid="${id}" data-value="([^"]+)"`).exec(page)?.[1]);
    // By hand: MTTR = (2000 + 2500 + 3000 + 2500 + 2000) / 5 = 2400 ms; MTBF = 30 d = 2,592,000,000 ms.
    assert.equal(value('mttr'), 2400);
    assert.equal(value('worst-rto'), 3000);
    assert.equal(value('success-rate'), 0.8);
    const availability = 2_592_000_000 / (2_592_000_000 + 2400); // 0.999 999 074 ...
    assert.ok(Math.abs(value('availability-pct') - availability) < 1e-12);
    assert.ok(Math.abs(value('nines') - 6.0334) < 1e-3, `nines ${value('nines')}`); // −log10(2400 / 2,592,002,400)
    // (1 − A) × 365.25 d = 2400 / 2,592,002,400 × 31,557,600,000 ms ≈ 29,220 ms a year.
    assert.ok(Math.abs(value('downtime-year') - 29_219.97) < 0.1, `downtime/year ${value('downtime-year')}`);
    assert.match(page, /with MTBF 30 d: availability <b[^>]*>99\.9999 %<\/b> = <b[^>]*>6\.0 nines<\/b>/);
    assert.match(page, /data-testid="downtime-year"[^>]*>29\.22 s<\/b> of downtime per year/);
    // 99.9999074 % ≥ 99.9999 %: the history's MTTR meets the latest declared floor.
    assert.match(page, /objective ≥ 99\.9999 %: <b data-testid="availability-objective" data-state="met"/);
  });
});

describe('reports index: MTTD beside MTTR', () => {
  it('the mean time from the first event to the first page, over the runs with a monitoring layer', async () => {
    const dir = join(root, 'mttd');
    const base = await fixture('pass-redis-kill-master');
    const layer = (pages: (number | null)[]): MonitoringLayerResult => ({
      kind: 'monitoring',
      watching: 'drill',
      pollMs: null,
      containers: [],
      scrapeIntervalMs: 1000,
      evaluationIntervalMs: 1000,
      groupWaitMs: 0,
      ruleFiles: [],
      rules: [],
      alerts: pages.map((notifiedAtMs, i) => ({ name: `A${i}`, node: null, pendingAtMs: null, firingAtMs: notifiedAtMs, notifiedAtMs, resolvedAtMs: null, resolveNotifiedAtMs: null })),
      faultAtMs: 5000,
      recoveredAtMs: 7000,
      precisionMs: 10,
      checks: [],
    });
    // First pages 1.5 s and 2.5 s after the event (an earlier notification, before it, does not count); a run without monitoring has none.
    const runs = [layer([6500, 8000]), layer([4000, 7500, null]), null];
    for (const [i, l] of runs.entries()) {
      const runId = `20261201T0${i}0000Z-md${i}`;
      await mkdir(join(dir, runId), { recursive: true });
      await writeFile(join(dir, runId, 'result.json'), JSON.stringify({ ...base, runId, startedAt: `2026-12-01T0${i}:00:00.000Z`, ...(l ? { layers: [l] } : {}) }));
    }
    const page = await readFile(await writeReportsIndex(dir), 'utf8');
    assert.equal(Number(/data-testid="mttd" data-value="([^"]+)"/.exec(page)?.[1]), 2000);
    assert.match(page, /mean time to the first page over 2 runs with monitoring/);
  });
});

describe('reports/latest', () => {
  it('points at the newest run, is replaced in place, and is not a run of its own in the index', async () => {
    const dir = join(root, 'latest');
    const base = await fixture('pass-redis-kill-master');
    for (const runId of ['20261201T010000Z-aaa111', '20261201T020000Z-bbb222']) {
      await mkdir(join(dir, runId), { recursive: true });
      await writeFile(join(dir, runId, 'result.json'), JSON.stringify({ ...base, runId }));
      await updateLatestLink(join(dir, runId));
      assert.equal(await readlink(join(dir, 'latest')), runId, 'a relative link to the run');
      assert.equal((await stat(join(dir, 'latest', 'result.json'))).isFile(), true);
    }
    const scan = await scanReports(dir);
    assert.deepEqual(scan.runs.map((r) => r.runId).sort(), ['20261201T010000Z-aaa111', '20261201T020000Z-bbb222']);
    assert.deepEqual(scan.warnings, []);
  });
});

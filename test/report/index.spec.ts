import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { ResultJson } from '../../src/report/result.js';
import { writeReportsIndex } from '../../src/report/reports-index.js';
import { writeRunReports } from '../../src/outputs/write-outputs.js';
import { FIXTURES, openFile, readResult } from './report-checks.js';

// reports/index.html over a history: the reference drill run five times (pass, pass, fail, pass, fail at
// different hours), the hostile drill once, and one corrupt result.json that must be skipped, not fatal.

test('the index lists the runs newest first, with a trend chart per drill and links to each report', async ({ page }, testInfo) => {
  const dir = testInfo.outputPath('reports');
  const pass = await readResult(path.join(FIXTURES, 'pass-redis-kill-master.result.json'));
  const fail = await readResult(path.join(FIXTURES, 'fail-lost-writes.result.json'));
  const hostile = await readResult(path.join(FIXTURES, 'hostile-error.result.json'));
  const runs: ResultJson[] = [];
  const add = (base: ResultJson, hour: number, rtoMs: number) => {
    const r = structuredClone(base);
    r.runId = `20261121T${String(hour).padStart(2, '0')}0000Z-${base.verdict}${hour}`;
    r.startedAt = `2026-11-21T${String(hour).padStart(2, '0')}:00:00.000Z`;
    r.measured!.rtoMs = rtoMs;
    runs.push(r);
  };
  add(pass, 1, 2310.2);
  add(pass, 3, 2550.6);
  add(fail, 5, 2490.4);
  add(pass, 7, 2801.9);
  add(fail, 9, 3120);
  runs.push(hostile);
  for (const r of runs) await writeRunReports(path.join(dir, r.runId), r);
  await mkdir(path.join(dir, '20261121T100000Z-cut'), { recursive: true });
  await writeFile(path.join(dir, '20261121T100000Z-cut', 'result.json'), '{"schemaVersion":1,"verdict":"pa');

  const warnings: string[] = [];
  const index = await writeReportsIndex(dir, { onWarning: (w) => warnings.push(w) });
  expect(warnings).toHaveLength(1);
  const watch = await openFile(page, index);

  // Newest first.
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(runs.length);
  const started = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-started') ?? ''));
  expect(started).toEqual(
    runs
      .map((r) => r.startedAt)
      .sort()
      .reverse(),
  );
  await expect(rows.first()).toHaveAttribute('data-run-id', hostile.runId);
  await expect(page.getByTestId('index-warnings')).toContainText('20261121T100000Z-cut/result.json: skipped');

  // One trend per drill; the reference drill's has a point and a lost-writes bar per run, and the objective.
  const trends = page.getByTestId('trend');
  await expect(trends).toHaveCount(2);
  const card = page.getByTestId('drill-card').filter({ hasText: 'redis-sentinel-kill-master' });
  const trend = card.getByTestId('trend');
  await expect(trend.getByTestId('trend-point')).toHaveCount(5);
  await expect(trend.getByTestId('trend-lost')).toHaveCount(5);
  await expect(trend.getByTestId('trend-objective')).toHaveCount(1);
  const box = await trend.boundingBox();
  expect(box && box.width > 300 && box.height > 100).toBeTruthy();
  const line = await trend.getByTestId('trend-rto-line').boundingBox();
  expect(line && line.width > 200 && line.height > 5, 'the RTO line rises and falls').toBeTruthy();
  const tips = await trend.getByTestId('trend-point').locator('title').allTextContents();
  expect(tips[0]).toContain('20261121T010000Z-pass1');
  expect(tips[4]).toContain('RTO 3.12 s');

  // Escaping, self-containment.
  await expect(page.locator('img')).toHaveCount(0);
  await expect(page.locator('script')).toHaveCount(0);
  await expect(page.getByTestId('drill-card').filter({ hasText: '<img src=x onerror=alert(1)>' })).toHaveCount(1);
  expect(watch.dialogs).toEqual([]);
  expect(watch.requests.filter((u) => !u.startsWith('file://'))).toEqual([]);

  const shot = testInfo.outputPath('index.png');
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach('index screenshot', { path: shot, contentType: 'image/png' });

  // The links work from file://: the newest FAIL run's report opens and says FAIL.
  const failRow = rows.filter({ has: page.locator('.v-fail') }).first();
  await failRow.getByTestId('report-link').click();
  await expect(page).toHaveURL(/20261121T090000Z-fail9\/report\.html$/);
  await expect(page.getByTestId('verdict')).toHaveText('FAIL');
});

import path from 'node:path';
import { expect, test } from '@playwright/test';
import { renderReportHtml } from '../../src/report/html-report.js';
import { writeRunReports } from '../../src/outputs/write-outputs.js';
import { checkReport, FIXTURES, openFile, readResult } from './report-checks.js';

// Reports rendered from stored result.json fixtures: a real PASS run, the same drill edited into a FAIL
// with lost writes (some acknowledged after the fault), and an ERROR full of hostile text.

const CASES = [
  { name: 'pass', file: 'pass-redis-kill-master.result.json' },
  { name: 'fail-lost-writes', file: 'fail-lost-writes.result.json' },
  { name: 'hostile-error', file: 'hostile-error.result.json' },
] as const;

for (const c of CASES) {
  test(`report from the stored ${c.name} fixture shows result.json exactly`, async ({ page }, testInfo) => {
    const result = await readResult(path.join(FIXTURES, c.file));
    const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
    const watch = await openFile(page, htmlPath);
    await checkReport(page, result, watch, testInfo, c.name);
  });
}

test('hostile text renders as text everywhere, including SVG labels and tooltips', async ({ page }, testInfo) => {
  const result = await readResult(path.join(FIXTURES, 'hostile-error.result.json'));
  const file = testInfo.outputPath('hostile.html');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, renderReportHtml(result));
  const watch = await openFile(page, file);
  await page.waitForTimeout(300); // an injected onerror would fire by now
  expect(watch.dialogs).toEqual([]);
  await expect(page).toHaveTitle(/^ERROR · <img src=x onerror=alert\(1\)> · drill report$/);
  await expect(page.getByTestId('drill-description')).toContainText('</script><script>alert(1)</script>');
  await expect(page.getByTestId('primary-before')).toHaveText('<img src=x onerror=alert(1)>-redis-1');
  const runbook = page.getByTestId('timeline-overview').locator('[data-testid^="marker-runbook-"]');
  await expect(runbook.locator('text')).toHaveText('runbook: <img src=x onerror=alert(1)>');
  await expect(runbook.locator('title')).toContainText('runbook step </script><script>alert(1)</script>');
  await expect(page.getByTestId('divergence-row').locator('code')).toHaveText('<img src=x onerror=alert(1)>-redis-3');
  await expect(page.getByTestId('drill-source')).toHaveText(result.drill.source);
  expect(await page.evaluate(() => document.querySelectorAll('[onerror], [onload], [onclick]').length)).toBe(0);
});

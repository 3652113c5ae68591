import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { writeRunReports } from '../../src/outputs/write-outputs.js';
import { FIXTURES, openFile, readResult } from './report-checks.js';

test('a report prints to PDF (A4 landscape from the print CSS) with its charts', async ({ page }, testInfo) => {
  const result = await readResult(path.join(FIXTURES, 'fail-lost-writes.result.json'));
  const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
  await openFile(page, htmlPath);
  await page.emulateMedia({ media: 'print' });
  // The print rules apply: no grey page background, sections without card borders.
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
  await expect(page.getByTestId('timeline-overview')).toBeVisible();
  const pdfPath = testInfo.outputPath('report.pdf');
  const pdf = await page.pdf({ path: pdfPath, preferCSSPageSize: true, printBackground: true });
  await testInfo.attach('report.pdf', { path: pdfPath, contentType: 'application/pdf' });
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(pdf.length).toBeGreaterThan(30_000);
  const text = (await readFile(pdfPath)).toString('latin1');
  const pages = text.match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
  expect(pages, 'several pages').toBeGreaterThan(1);
  // A4 landscape: 842 × 595 points.
  expect(text).toMatch(/\/MediaBox\s*\[\s*0 0 841\.9\d* 59[45]\.\d+\s*\]/);
});

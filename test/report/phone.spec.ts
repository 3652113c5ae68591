import path from 'node:path';
import { expect, test } from '@playwright/test';
import { writeRunReports } from '../../src/outputs/write-outputs.js';
import { FIXTURES, openFile, readResult } from './report-checks.js';

// A report opened on a phone (390 × 844): the page never scrolls sideways, wide tables scroll inside their
// own box, and no chart text is smaller than 10 px as drawn.

test.use({ viewport: { width: 390, height: 844 } });

for (const fixture of ['fail-lost-writes', 'pass-redis-kill-master']) {
  test(`${fixture} on a phone: no sideways page scroll, tables scroll in their box, chart text ≥ 10 px`, async ({ page }, testInfo) => {
    const result = await readResult(path.join(FIXTURES, `${fixture}.result.json`));
    const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
    await openFile(page, htmlPath);
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(pageWidth, 'the page is no wider than the phone').toBeLessThanOrEqual(390);
    // Every table fits its box: a wider one scrolls inside it.
    const tables = await page.evaluate(() =>
      [...document.querySelectorAll('table')].map((t) => ({ box: t.getBoundingClientRect().width, overflow: getComputedStyle(t).overflowX, wide: t.scrollWidth > t.clientWidth })),
    );
    expect(tables.length).toBeGreaterThan(3);
    for (const t of tables) {
      expect(t.box).toBeLessThanOrEqual(390);
      if (t.wide) expect(t.overflow).toBe('auto');
    }
    // Chart text as drawn: font size in SVG units × the SVG's scale on screen.
    const smallest = await page.evaluate(() => {
      let min = Infinity;
      for (const svg of document.querySelectorAll('svg.timeline, svg.latency')) {
        const vb = (svg as SVGSVGElement).viewBox.baseVal;
        const scale = svg.getBoundingClientRect().width / vb.width;
        for (const text of svg.querySelectorAll('text')) min = Math.min(min, parseFloat(getComputedStyle(text).fontSize) * scale);
      }
      return min;
    });
    expect(smallest).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: testInfo.outputPath('phone.png'), fullPage: false });
  });
}

import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { compareResults, type FigureChange, type RunComparison } from '../../src/report/compare.js';
import { renderCompareHtml } from '../../src/report/compare-html.js';
import type { ResultJson } from '../../src/report/result.js';
import { expectNumber, FIXTURES, openFile, readResult } from './report-checks.js';

// The page of `drill report --compare A B` in Chromium: every figure it shows equals compareResults()
// (data-value = the raw number, the visible text rounds to it, data-change = the judgement), escaping
// holds, nothing is fetched, and on a phone (390 × 844) the page never scrolls sideways.

/** B: the stored PASS run made slower: RTO +600 ms, Sentinel's switch-master 800 ms later, one sdown less, a +tilt, 3 writes lost, more load. */
function slowerRun(a: ResultJson): ResultJson {
  const b = structuredClone(a);
  b.runId = '20261123T010000Z-b2b2b2';
  b.verdict = 'fail';
  b.reason = 'objective missed: lostWrites: declared 0, measured 3';
  b.measured!.rtoMs = a.measured!.rtoMs! + 600;
  b.measured!.lostWrites = 3;
  b.objectives = [
    ...b.objectives.map((o) => (o.name === 'rtoMs' ? { ...o, measured: b.measured!.rtoMs } : o)),
    { name: 'lostWrites', declared: 0, measured: 3, met: false, state: 'missed', unit: 'writes' },
  ];
  b.events = b.events.map((e) => ({ ...e, atMs: e.atMs + (e.marker === 'switch-master' ? 800 : 0) }));
  b.events.splice(b.events.map((e) => e.marker).lastIndexOf('sdown'), 1);
  b.events.push({ atMs: 9000, source: 'sentinel', message: 'drill-b2b2b2-sentinel-1: +tilt #tilt mode entered', marker: 'tilt' });
  b.load.rate = 500;
  b.environment.node = 'v22.1.0';
  return b;
}

async function comparePage(page: Page, file: string, c: RunComparison) {
  await writeFile(file, renderCompareHtml(c));
  return openFile(page, file);
}

/** A number cell: data-value is the raw number, the text shows it ('' and a dash or "not measured" when there is none). */
async function expectCell(cell: Locator, raw: number | null, what: string): Promise<void> {
  if (raw === null) {
    await expect(cell, what).toHaveAttribute('data-value', '');
    return;
  }
  await expectNumber(cell, raw, what);
}

async function expectNoise(cell: Locator, noise: number | null, what: string): Promise<void> {
  if (noise === 0) {
    await expect(cell, what).toHaveText('exact');
    await expect(cell, what).toHaveAttribute('data-value', '0');
  } else await expectCell(cell, noise, what);
}

async function expectFigureRow(row: Locator, f: FigureChange, what: string): Promise<void> {
  await expect(row, what).toHaveCount(1);
  await expect(row, what).toHaveAttribute('data-change', f.change);
  await expectCell(row.getByTestId('a'), f.a, `${what} A`);
  await expectCell(row.getByTestId('b'), f.b, `${what} B`);
  await expectCell(row.getByTestId('delta'), f.delta, `${what} B − A`);
  await expectNoise(row.getByTestId('noise'), f.noise, `${what} noise`);
}

test('compare page shows exactly what compareResults computed', async ({ page }, testInfo) => {
  const a = await readResult(path.join(FIXTURES, 'pass-redis-kill-master.result.json'));
  const c = compareResults(a, slowerRun(a));
  const watch = await comparePage(page, testInfo.outputPath('compare.html'), c);

  await expect(page.getByTestId('verdict-a')).toHaveText('PASS');
  await expect(page.getByTestId('verdict-b')).toHaveText('FAIL');
  await expect(page.getByTestId('run-id-a')).toHaveText(c.a.runId);
  await expect(page.getByTestId('run-id-b')).toHaveText(c.b.runId);
  await expect(page.getByTestId('warning-different-drills')).toHaveCount(0);
  await expect(page.getByTestId('drill-file-same')).toBeVisible();

  for (const o of c.objectives) {
    const row = page.getByTestId(`cmp-objective-${o.name}`);
    await expectFigureRow(row, o, `objective ${o.name}`);
    await expectCell(row.getByTestId('declared-a'), o.declaredA, `${o.name} declared A`);
    await expectCell(row.getByTestId('declared-b'), o.declaredB, `${o.name} declared B`);
    await expect(row.getByTestId('state-a')).toHaveAttribute('data-value', o.stateA);
    await expect(row.getByTestId('state-b')).toHaveAttribute('data-value', o.stateB);
  }
  const rto = c.objectives.find((o) => o.name === 'rtoMs')!;
  expect([rto.delta, rto.change]).toEqual([600, 'significant']);
  await expect(page.getByTestId('cmp-objective-rtoMs').getByTestId('change')).toHaveText('significant');

  for (const f of c.measured.filter((x) => x.a !== null || x.b !== null)) await expectFigureRow(page.getByTestId(`cmp-figure-${f.key}`), f, `measured ${f.key}`);
  for (const f of c.load.filter((x) => x.a !== null || x.b !== null)) await expectFigureRow(page.getByTestId(`cmp-load-${f.key}`), f, `load ${f.key}`);
  for (const fault of c.faults)
    for (const f of fault.figures.filter((x) => x.a !== null || x.b !== null)) await expectFigureRow(page.getByTestId(`cmp-fault-${fault.index}-${f.key}`), f, `fault ${fault.index} ${f.key}`);

  // The system's events: one row per pair, in order, with both times, the shift and its judgement.
  const rows = page.getByTestId('cmp-event');
  await expect(rows).toHaveCount(c.events.length);
  for (const [i, e] of c.events.entries()) {
    const row = rows.nth(i);
    const what = `event ${e.key} #${e.occurrence}`;
    await expect(row, what).toHaveAttribute('data-key', e.key);
    await expect(row, what).toHaveAttribute('data-occurrence', String(e.occurrence));
    await expect(row, what).toHaveAttribute('data-change', e.change);
    await expectCell(row.getByTestId('a'), e.aMs, `${what} A`);
    await expectCell(row.getByTestId('b'), e.bMs, `${what} B`);
    await expectCell(row.getByTestId('shift'), e.shiftMs, `${what} shift`);
  }
  const switchMaster = page.locator('[data-testid="cmp-event"][data-key="switch-master"][data-occurrence="1"]');
  await expect(switchMaster.getByTestId('shift')).toHaveText('+800 ms');
  await expect(switchMaster.getByTestId('change')).toHaveText('significant');
  await expect(page.locator('[data-testid="cmp-event"][data-key="sdown"][data-occurrence="6"]').getByTestId('change')).toHaveText('only in A');
  await expect(page.locator('[data-testid="cmp-event"][data-key="tilt"]').getByTestId('change')).toHaveText('only in B');
  await expect(page.getByTestId('events-one-sided')).toHaveText('1 only in A, 1 only in B');

  for (const e of c.environment.filter((x) => x.a !== null || x.b !== null)) {
    const row = page.getByTestId(`cmp-env-${e.key}`);
    await expect(row.getByTestId('a')).toHaveText(e.a ?? '—');
    await expect(row.getByTestId('b')).toHaveText(e.b ?? '—');
    await expect(row).toHaveAttribute('data-change', e.changed ? 'changed' : 'same');
  }

  await expect(page.locator('script')).toHaveCount(0);
  expect(watch.dialogs).toEqual([]);
  expect(watch.requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath('compare.png'), fullPage: true });
});

test('two different drills: the warning is on the page; hostile text stays text', async ({ page }, testInfo) => {
  const a = await readResult(path.join(FIXTURES, 'pass-redis-kill-master.result.json'));
  const b = await readResult(path.join(FIXTURES, 'hostile-error.result.json'));
  const watch = await comparePage(page, testInfo.outputPath('hostile.html'), compareResults(a, b));
  await page.waitForTimeout(300); // an injected onerror would fire by now
  await expect(page.getByTestId('warning-different-drills')).toContainText('<img src=x onerror=alert(1)>');
  await expect(page.getByTestId('drill-file-changed')).toBeVisible();
  await expect(page).toHaveTitle('PASS → ERROR · redis-sentinel-kill-master vs <img src=x onerror=alert(1)> · drill compare');
  await expect(page.locator('img')).toHaveCount(0);
  expect(await page.evaluate(() => document.querySelectorAll('[onerror], [onload], [onclick]').length)).toBe(0);
  expect(watch.dialogs).toEqual([]);
  expect(watch.requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('390 × 844: no sideways page scroll; wide tables scroll in their own box', async ({ page }, testInfo) => {
    const a = await readResult(path.join(FIXTURES, 'pass-redis-kill-master.result.json'));
    await comparePage(page, testInfo.outputPath('phone.html'), compareResults(a, slowerRun(a)));
    expect(await page.evaluate(() => document.documentElement.scrollWidth), 'the page is no wider than the phone').toBeLessThanOrEqual(390);
    const tables = await page.evaluate(() =>
      [...document.querySelectorAll('table')].map((t) => ({ box: t.getBoundingClientRect().width, overflow: getComputedStyle(t).overflowX, wide: t.scrollWidth > t.clientWidth })),
    );
    expect(tables.length).toBeGreaterThan(4);
    expect(
      tables.some((t) => t.wide),
      'some table is wider than the phone: it must scroll inside its box',
    ).toBe(true);
    for (const t of tables) {
      expect(t.box).toBeLessThanOrEqual(390);
      if (t.wide) expect(t.overflow).toBe('auto');
    }
    await page.screenshot({ path: testInfo.outputPath('phone.png'), fullPage: false });
  });
});

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import type { ResultJson } from '../../src/report/result.js';

// What every report page must show, checked in a real browser against the result.json it came from:
// the verdict, every objective and measured number (data-value = the raw number; the visible text must
// round to it), a chart that really drew (bars, markers with non-empty boxes), escaping (no element or
// dialog from outside text, no request beyond the file itself), and a screenshot kept as an artifact.

export const REPO = path.resolve(import.meta.dirname, '..', '..');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'results');

export async function readResult(file: string): Promise<ResultJson> {
  return JSON.parse(await readFile(file, 'utf8')) as ResultJson;
}

/** What a page did that it must not: dialogs (alert from an injected handler), requests beyond file://. */
export interface PageWatch {
  dialogs: string[];
  requests: string[];
}

/** Opens a local file, recording dialogs and every request it makes. */
export async function openFile(page: Page, file: string): Promise<PageWatch> {
  const watch: PageWatch = { dialogs: [], requests: [] };
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (r) => watch.requests.push(r.url()));
  await page.goto(`file://${file}`);
  await page.waitForLoadState('load');
  return watch;
}

/** "2.551 s" → 2551 (ms) with ±0.5 ms of display rounding; "5,398" → 5398 exactly; "± 269.7 ms" → 269.7. */
export function parseShown(text: string): { value: number; tolerance: number } {
  const m = /(−|-)?([\d,]+(?:\.(\d+))?)\s*(ms|s)?\b/.exec(text.replace('±', ''));
  if (!m) throw new Error(`no number in ${JSON.stringify(text)}`);
  const digits = m[3]?.length ?? 0;
  const scale = m[4] === 's' ? 1000 : 1;
  const value = Number(m[2]!.replace(/,/g, '')) * scale * (m[1] ? -1 : 1);
  return { value, tolerance: m[4] ? 0.5 * 10 ** -digits * scale + 1e-9 : 0.5 };
}

/** The element's data-value equals `raw` exactly and its visible text shows it (rounded for display only). */
export async function expectNumber(el: Locator, raw: number | null | undefined, what: string, textEl: Locator = el): Promise<void> {
  await expect(el, what).toHaveCount(1);
  const dataValue = await el.getAttribute('data-value');
  if (raw === null || raw === undefined) {
    expect(dataValue, `${what}: no value`).toBe('');
    return;
  }
  expect(Number(dataValue), `${what}: data-value`).toBe(raw);
  const text = (await textEl.innerText()).trim();
  const shown = parseShown(text);
  expect(Math.abs(shown.value - raw), `${what}: shown "${text}" vs ${raw}`).toBeLessThanOrEqual(shown.tolerance);
}

export async function checkReport(page: Page, result: ResultJson, watch: PageWatch, testInfo: TestInfo, name: string): Promise<void> {
  // Verdict, big, and the drill's name as plain text.
  await expect(page.getByTestId('verdict')).toHaveText(result.verdict.toUpperCase());
  const badge = await page.getByTestId('verdict').boundingBox();
  expect(badge && badge.height >= 40 && badge.width >= 100, 'the verdict is big').toBeTruthy();
  await expect(page.getByTestId('drill-name')).toHaveText(result.drill.name);
  if (result.reason) await expect(page.getByTestId('verdict-reason')).toHaveText(result.reason);

  // Every declared objective of the drill: declared, measured, precision, met — equal to result.json.
  for (const o of result.objectives.filter((x) => x.event === undefined)) {
    const row = page.getByTestId(`objective-${o.name}`);
    await expect(row, o.name).toHaveAttribute('data-declared', 'yes');
    await expectNumber(row.getByTestId('declared'), o.declared, `${o.name} declared`);
    await expectNumber(row.getByTestId('measured'), o.measured, `${o.name} measured`);
    if (o.measured === null) await expect(row.getByTestId('measured')).toHaveText('not measured');
    if (o.precisionMs !== undefined) await expectNumber(row.getByTestId('precision'), o.precisionMs, `${o.name} precision`);
    await expect(row.getByTestId('result')).toContainText(o.met ? '✓ met' : '✗ missed');
  }

  // One row per event, its figures and the objectives of its kind equal to result.json.
  const rows = result.perEvent ?? [];
  await expect(page.getByTestId('per-event').locator('tbody tr')).toHaveCount(rows.length);
  for (const r of rows) {
    const row = page.getByTestId(`event-${r.index}`);
    await expect(row).toHaveAttribute('data-kind', r.kind);
    await expectNumber(row.getByTestId('event-rto'), r.rtoMs, `event ${r.index} RTO`);
    await expectNumber(row.getByTestId('event-lost'), r.lostWrites, `event ${r.index} lost`);
    await expect(row.getByTestId('event-writes')).toHaveText(`${r.sentWrites.toLocaleString('en-US')} / ${r.failedWrites.toLocaleString('en-US')} / ${r.unknownWrites.toLocaleString('en-US')}`);
    for (const o of result.objectives.filter((x) => x.event === r.index)) {
      await expect(row.getByTestId(`event-objective-${o.name}`), `event ${r.index} ${o.name}`).toHaveAttribute('data-state', o.state ?? (o.met ? 'met' : 'missed'));
    }
  }

  // Every measured number.
  const m = result.measured;
  if (m) {
    const keys = ['rtoMs', 'downtimeMs', 'rpoMs', 'precisionMs', 'totalWrites', 'ackedWrites', 'failedWrites', 'unknownWrites', 'lostWrites', 'recoveredWrites', 'unexpectedWrites'] as const;
    for (const k of keys) {
      const card = page.getByTestId(`measured-${k}`);
      const raw = m[k];
      if (raw === null) await expect(card, k).toHaveAttribute('data-value', '');
      else await expectNumber(card, raw, `measured ${k}`, card.locator('.v'));
    }
    expect(Number(await page.getByTestId('measured-ackedAfterFault').getAttribute('data-value'))).toBe(m.lost.ackedAfterFault);
    // Lost writes: the table lists the first ids with their ack times relative to the fault.
    if (m.lost.firstIds.length) {
      const rows = page.getByTestId('lost-table').locator('tbody tr');
      await expect(rows).toHaveCount(m.lost.firstIds.length);
      const first = m.lost.firstIds[0]!;
      await expect(rows.first().locator('td').first()).toHaveText(String(first.id));
      const rel = parseShown(await rows.first().locator('td').nth(2).innerText());
      expect(Math.abs(rel.value - (first.ackMs - m.faultAtMs!))).toBeLessThanOrEqual(rel.tolerance);
    } else if (m.lostWrites === 0) {
      await expect(page.getByTestId('lost-summary')).toContainText('No acknowledged write was lost');
    }
  }

  // The chart really drew: bars, the fault and recovery markers, boxes that are not empty.
  const chart = page.getByTestId('timeline-overview');
  await expect(chart).toBeVisible();
  const buckets = result.timeline.buckets.filter((b) => b.ok + b.fail + b.unknown > 0).length;
  const bars = await chart.locator('[data-testid="bars"] rect').count();
  expect(bars, 'bars drawn').toBeGreaterThan(Math.min(50, buckets - 1));
  const box = await chart.boundingBox();
  expect(box && box.width > 600 && box.height > 150, 'chart has a real size').toBeTruthy();
  const markers = ['fault', ...(m?.recoveredAtMs !== null && m?.recoveredAtMs !== undefined ? ['recovered'] : [])];
  for (const key of markers) {
    const marker = chart.getByTestId(`marker-${key}`);
    await expect(marker, key).toHaveCount(1);
    const mb = await marker.boundingBox();
    expect(mb && mb.width > 0 && mb.height > 0, `marker ${key} has a box`).toBeTruthy();
    const line = await marker.locator('line').boundingBox();
    expect(line && line.height > 100, `marker ${key} line spans the plot`).toBeTruthy();
    await expect(marker.locator('text')).not.toHaveText('');
  }
  await expectNoLabelOverlap(page);
  if (m?.faultAtMs !== null && m?.faultAtMs !== undefined) {
    const rto = await chart.getByTestId('rto-window').locator('rect').boundingBox();
    expect(rto && rto.width > 0, 'RTO window shaded').toBeTruthy();
  }
  const p50 = await page.getByTestId('latency-overview').getByTestId('p50').boundingBox();
  expect(p50 && p50.width > 100, 'latency line drawn').toBeTruthy();

  // Escaping and self-containment: nothing from outside became markup, nothing ran, nothing was fetched.
  await expect(page.locator('img')).toHaveCount(0);
  await expect(page.locator('script')).toHaveCount(0);
  expect(watch.dialogs, 'no dialog').toEqual([]);
  expect(
    watch.requests.filter((u) => !u.startsWith('file://')),
    'no request beyond the file',
  ).toEqual([]);

  const shot = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach(`${name} screenshot`, { path: shot, contentType: 'image/png' });
}

/** Marker labels of every timeline chart on the page, as drawn: no two boxes intersect. */
export async function expectNoLabelOverlap(page: Page): Promise<number> {
  const charts = page.locator('svg.timeline');
  let labels = 0;
  for (let c = 0; c < (await charts.count()); c++) {
    const texts = charts.nth(c).locator('text.marker');
    const boxes: { x: number; y: number; width: number; height: number; text: string }[] = [];
    for (let i = 0; i < (await texts.count()); i++) {
      const box = await texts.nth(i).boundingBox();
      if (box) boxes.push({ ...box, text: (await texts.nth(i).textContent()) ?? '' });
    }
    labels += boxes.length;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `labels "${a.text}" and "${b.text}" overlap: ${JSON.stringify([a, b])}`).toBe(false);
      }
    }
  }
  return labels;
}

import path from 'node:path';
import { expect, test } from '@playwright/test';
import { renderReportHtml } from '../../src/report/html-report.js';
import type { BackupLayerResult, LbVipLayerResult, MonitoringLayerResult } from '../../src/report/result.js';
import { writeRunReports } from '../../src/outputs/write-outputs.js';
import { checkReport, expectNoLabelOverlap, FIXTURES, openFile, readResult } from './report-checks.js';

// Reports rendered from stored result.json fixtures: a real PASS run, the same drill edited into a FAIL
// with lost writes (some acknowledged after the fault), and an ERROR full of hostile text.

const CASES = [
  { name: 'pass', file: 'pass-redis-kill-master.result.json' },
  { name: 'fail-lost-writes', file: 'fail-lost-writes.result.json' },
  { name: 'hostile-error', file: 'hostile-error.result.json' },
  // A real run with two master kills on one Redis stack: each failover has its own row (per-event measurement).
  { name: 'two-failovers', file: 'pass-two-failovers.result.json' },
  // A real redis-split-brain-reads run: writes and reads, dirty reads from the isolated old master.
  { name: 'split-brain-reads', file: 'fail-redis-split-brain-reads.result.json' },
  // A real point-in-time restore after an operator's DROP TABLE (drills/mariadb-drop-table-pitr.yaml).
  { name: 'drop-table-pitr', file: 'pass-mariadb-drop-table-pitr.result.json' },
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

test('marker labels never overlap, even when a dozen moments fall within one second', async ({ page }, testInfo) => {
  const result = await readResult(path.join(FIXTURES, 'pass-redis-kill-master.result.json'));
  const faultAt = result.measured!.faultAtMs!;
  // Fault, detection, promotion, switch and runbook steps crowded into one second, as on a fast failover.
  const crowd = [
    'sdown',
    'odown',
    'promoted-slave',
    'switch-master',
    'replica-link-lost',
    'semi-sync-off',
    'detection',
    'runbook-promote',
    'runbook-repoint',
    'runbook-wait',
    'backup',
    'backup-error',
  ] as const;
  result.events = [...result.events, ...crowd.map((marker, i) => ({ atMs: faultAt + 40 + i * 70, source: 'runner' as const, message: `crowded ${marker}`, marker }))].sort((a, b) => a.atMs - b.atMs);
  const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
  await openFile(page, htmlPath);
  const labels = await expectNoLabelOverlap(page);
  expect(labels, 'labels drawn').toBeGreaterThan(8);
  // Every moment stays findable: a marker without room for its label keeps its line and tooltip, and the
  // key-moments table lists it.
  for (const marker of ['sdown', 'odown', 'switch-master', 'backup-error']) await expect(page.getByTestId(`moment-${marker}`), marker).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('crowded.png'), fullPage: true });
});

test('alerting: the alerts table and the pending, firing, paged and resolved marks on the timeline, from a real run', async ({ page }, testInfo) => {
  // A real redis-kill-master-alerting run (Prometheus and Alertmanager beside the stack), stored.
  const result = await readResult(path.join(FIXTURES, 'pass-redis-alerting.result.json'));
  const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
  const watch = await openFile(page, htmlPath);
  await checkReport(page, result, watch, testInfo, 'alerting');
  const layer = result.layers!.find((l): l is MonitoringLayerResult => l.kind === 'monitoring')!;
  const alerts = layer.alerts;
  await expect(page.getByTestId('alert-row')).toHaveCount(alerts.length);
  const overview = page.getByTestId('timeline-overview');
  for (const key of ['alert-pending', 'alert-firing', 'alert-notified', 'alert-resolved']) await expect(overview.getByTestId(`marker-${key}`), key).toHaveCount(1);
  await expect(overview.getByTestId('marker-alert-notified').locator('title')).toContainText('notified: Alertmanager delivered it to the webhook');
  // Each check of the layer, with its verdict, in the layer's table.
  const checks = page.getByTestId('layers-section').getByTestId('layer-check');
  await expect(checks).toHaveCount(layer.checks.length);
  for (const [i, c] of layer.checks.entries()) await expect(checks.nth(i)).toHaveAttribute('data-ok', String(c.ok));
});

test("front door: HAProxy's own per-server counters, from a real lb-slow-app-instance run", async ({ page }, testInfo) => {
  // A real run: app-2 of three slowed by 1 s; HAProxy's check took it out. Stored with its proxyServed reads.
  const result = await readResult(path.join(FIXTURES, 'pass-lb-slow-app-instance.result.json'));
  const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
  const watch = await openFile(page, htmlPath);
  await checkReport(page, result, watch, testInfo, 'lb-slow-app');
  const layer = result.layers!.find((l): l is LbVipLayerResult => l.kind === 'lb-vip')!;
  const table = page.getByTestId('layers-section').getByTestId('lb-proxy-served');
  const busy = layer.proxyServed!.samples.filter((x) => Object.values(x.perBackend).some((n) => n > 0));
  expect(busy.length).toBeGreaterThan(10);
  await expect(table.locator('tbody tr')).toHaveCount(busy.length);
  await expect(table.locator('thead th')).toHaveText(['At', 'LB node', 'app-1 req/s', 'app-2 req/s', 'app-3 req/s']);
  // The last read: app-2 (DOWN) was sent nothing, as the stored figures say.
  const last = busy.at(-1)!;
  await expect(table.locator('tbody tr').last().locator('td').nth(3)).toHaveText(String(last.perBackend['app-2']));
  expect(last.perBackend['app-2']).toBe(0);
});

test('front door: the VIP holders, the split brain, the per-fault table and the VRRP marks on the timeline, from a real run', async ({ page }, testInfo) => {
  // A real lb-vrrp-split-brain run (two HAProxy + Keepalived nodes cut off from each other for 2 s), stored.
  const result = await readResult(path.join(FIXTURES, 'pass-lb-vrrp-split-brain.result.json'));
  const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
  const watch = await openFile(page, htmlPath);
  await checkReport(page, result, watch, testInfo, 'lb-split-brain');
  const layer = result.layers!.find((l): l is LbVipLayerResult => l.kind === 'lb-vip')!;
  const section = page.getByTestId('layers-section');
  await expect(section.getByTestId('lb-explain-row')).toHaveCount(layer.explain.length);
  await expect(section.getByTestId('lb-holders').locator('tbody tr')).toHaveCount(layer.holders.length);
  await expect(section.getByTestId('lb-served').locator('tbody tr')).toHaveCount(layer.served.length);
  // The overlap, as measured, in words and on the timeline.
  expect(layer.splitBrain.windows.length).toBeGreaterThan(0);
  await expect(section.getByTestId('lb-split-brain')).not.toContainText('never');
  const overview = page.getByTestId('timeline-overview');
  expect(await overview.getByTestId('marker-split-brain').count()).toBeGreaterThan(0);
  await expect(overview.getByTestId('marker-split-brain').first().locator('title')).toContainText('both LB nodes hold the VIP');
  const checks = section.getByTestId('layer-check');
  await expect(checks).toHaveCount(layer.checks.length);
  for (const [i, c] of layer.checks.entries()) await expect(checks.nth(i)).toHaveAttribute('data-ok', String(c.ok));
});

test('reads have their own row and colours under the writes, and a Reads section equal to result.json', async ({ page }, testInfo) => {
  const result = await readResult(path.join(FIXTURES, 'fail-redis-split-brain-reads.result.json'));
  const reads = result.measured!.reads!;
  const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
  const watch = await openFile(page, htmlPath);
  const row = page.getByTestId('reads-row-overview');
  await expect(row).toBeVisible();
  // Every read of the run is in the overview row, in the group of what it saw, each its own colour.
  const sum = (k: 'ok' | 'stale' | 'ownMissed' | 'dirty' | 'fail' | 'unknown') => reads.buckets.reduce((s, b) => s + b[k], 0);
  const fills = new Set<string>();
  for (const k of ['ok', 'stale', 'ownMissed', 'dirty', 'fail', 'unknown'] as const) {
    const group = row.getByTestId(`reads-${k}`);
    await expect(group, k).toHaveAttribute('data-count', String(sum(k)));
    await expect(group.locator('rect')).toHaveCount(reads.buckets.filter((b) => b[k] > 0).length);
    fills.add((await group.getAttribute('fill'))!);
  }
  expect(fills.size, 'six colours').toBe(6);
  expect(sum('dirty')).toBe(reads.dirty!.count);
  expect(sum('ok') + sum('stale') + sum('ownMissed') + sum('dirty') + sum('fail') + sum('unknown')).toBe(reads.total);
  // The writes keep their own colours: none of the reads' is used by a write bar.
  for (const cls of ['bars-ok', 'bars-fail', 'bars-lost']) {
    const writeFill = await page.getByTestId('timeline-overview').locator(`.${cls}`).getAttribute('fill');
    expect(fills.has(writeFill!), `${cls} ${writeFill}`).toBe(false);
  }
  // The rows share one time axis: the reads' first bar starts where the writes' first bar does.
  const firstWrite = await page.getByTestId('timeline-overview').locator('.bars-ok rect').first().getAttribute('x');
  const firstRead = await row.locator('[data-testid="reads-ok"] rect').first().getAttribute('x');
  expect(Number(firstRead)).toBeCloseTo(Number(firstWrite), 0);
  await expect(page.getByTestId('reads-legend')).toContainText('dirty read');
  const section = page.getByTestId('reads-section');
  await expect(section.getByTestId('reads-dirty').locator('td').nth(1)).toHaveText(reads.dirty!.count.toLocaleString('en-US'));
  await expect(section.getByTestId('reads-stale').locator('td').nth(1)).toHaveText(reads.stale.count.toLocaleString('en-US'));
  await expect(section.getByTestId('reads-dirty')).toContainText(`${reads.dirty!.ackedThenLost.toLocaleString('en-US')} acknowledged then lost`);
  await expect(section.getByTestId('reads-examples').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('objective-dirtyReads').getByTestId('result')).toContainText('✗ missed');
  expect(watch.dialogs).toEqual([]);
});

test('a point-in-time restore shows the scheme in words and every phase as result.json has it', async ({ page }, testInfo) => {
  const result = await readResult(path.join(FIXTURES, 'pass-mariadb-drop-table-pitr.result.json'));
  const layer = (result.layers ?? [])[0] as BackupLayerResult;
  const restore = layer.restores![0]!;
  const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
  await openFile(page, htmlPath);
  await expect(page.getByTestId('rpo-explained')).toHaveText(`At the disaster: ${layer.rpoExplained!}.`);
  const rows = page.getByTestId('restore-phase');
  await expect(rows).toHaveCount(restore.phases.length);
  for (const [i, p] of restore.phases.entries()) {
    await expect(rows.nth(i)).toHaveAttribute('data-phase', p.name);
    await expect(rows.nth(i).locator('td').nth(3)).toHaveText(p.detail);
  }
  for (const name of ['restore-provision', 'restore-load', 'restore-replay']) await expect(page.getByTestId(`moment-${name}`), name).toHaveCount(1);
});

// Real bad-backup runs (drills/mariadb-corrupt-latest-backup.yaml, stored under its first name mariadb-corrupt-backup-fallback; -broken-binlog-chain, -backup-store-down).
test('bad backups: the skipped backup, the broken chain, the table checksum and the restore objectives as result.json has them', async ({ page }, testInfo) => {
  const corrupt = await readResult(path.join(FIXTURES, 'pass-mariadb-corrupt-backup-fallback.result.json'));
  const c = ((corrupt.layers ?? [])[0] as BackupLayerResult).restores![0]!;
  await openFile(page, (await writeRunReports(testInfo.outputPath('corrupt'), corrupt)).htmlPath);
  await expect(page.getByTestId('restore-skipped')).toContainText(`backup #${c.skipped![0]!.seq} (${c.skipped![0]!.why})`);
  await expect(page.getByTestId('restore-checksum')).toContainText(`${c.checksum!.expected} expected, ${c.checksum!.restored} restored`);
  await expect(page.getByTestId('restore-checksum')).toContainText('they match');
  await expect(page.getByTestId('timeline-overview').locator('[data-testid^="marker-backup-damage"]')).toHaveCount(1);

  const chain = await readResult(path.join(FIXTURES, 'pass-mariadb-broken-binlog-chain.result.json'));
  const g = ((chain.layers ?? [])[0] as BackupLayerResult).restores![0]!;
  await openFile(page, (await writeRunReports(testInfo.outputPath('chain'), chain)).htmlPath);
  await expect(page.getByTestId('restore-chain-gap')).toContainText(`missing ${g.chainGap!.missing[0]!}`);
  await expect(page.getByTestId('restore-checksum')).toContainText('they differ');

  const down = await readResult(path.join(FIXTURES, 'pass-mariadb-backup-store-down.result.json'));
  await openFile(page, (await writeRunReports(testInfo.outputPath('down'), down)).htmlPath);
  for (const name of ['restoreTimeMs', 'backupAgeMs']) {
    const o = down.objectives.find((x) => x.name === name)!;
    await expect(page.getByTestId(`objective-${name}`).getByTestId('result'), name).toContainText(o.met ? '✓' : '✗');
    await expect(page.getByTestId(`objective-${name}`), name).toContainText(o.name === 'backupAgeMs' ? 'Backup age' : 'Restore time');
  }
});

import path from 'node:path';
import { expect, test } from '@playwright/test';
import { writeRunReports } from '../../src/outputs/write-outputs.js';
import { checkReport, FIXTURES, openFile, readResult } from './report-checks.js';

// A real patroni-partition-leader run (drills/patroni-partition-leader.yaml): the failover explained by
// ttl/loop_wait next to what Patroni's own log said, and Patroni's events on the timeline.

test('patroni: the failover explained by ttl and loop_wait shows result.json stack.failover, with Patroni events on the timeline', async ({ page }, testInfo) => {
  const result = await readResult(path.join(FIXTURES, 'pass-patroni-partition-leader.result.json'));
  const f = result.stack.failover!;
  const { htmlPath } = await writeRunReports(testInfo.outputPath('run'), result);
  const watch = await openFile(page, htmlPath);
  await checkReport(page, result, watch, testInfo, 'patroni-partition-leader');
  const table = page.getByTestId('failover-explained');
  await expect(table).toBeVisible();
  await expect(page.getByTestId('demoted')).toContainText(f.demoted.node!);
  await expect(page.getByTestId('demoted')).toContainText((f.demoted.measuredMs! / 1000).toFixed(1).replace(/\.0$/, ''));
  await expect(page.getByTestId('lock-taken')).toContainText(f.lockTaken.node!);
  await expect(page.getByTestId('last-lost-ack')).toContainText(`${f.ackedAfterFault.lost} lost`);
  await expect(page.getByTestId('failover-text')).toHaveText(f.text);
  const overview = page.getByTestId('timeline-overview');
  await expect(overview.locator('[data-testid^="marker-leader-lock-acquired"]')).not.toHaveCount(0);
  await expect(overview.locator('[data-testid^="marker-leader-lock-lost"]')).not.toHaveCount(0);
});

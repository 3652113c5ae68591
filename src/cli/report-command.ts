import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ResultJson } from '../report/result.js';
import { writeRenderedReports } from '../outputs/write-outputs.js';
import { writeReportsIndex } from '../report/reports-index.js';
import { writeMetricsFile } from '../outputs/prometheus.js';
import { checkNotifyUrl } from '../outputs/notify-url.js';
import { notifyRun } from '../outputs/notify.js';
import { UsageError } from '../util/errors.js';
import { readResultFile, shownPath } from './result-input.js';

/**
 * `drill report <dir>`, from the result.json files alone:
 * - a run directory (it holds result.json): rebuild its report.html and junit.xml, then the index of the
 *   reports directory it is in (its parent);
 * - a reports directory (no result.json): rebuild only its index.html.
 * result.json itself is never rewritten. Skipped (corrupt) runs are warned about on stderr.
 * --notify-url (a run directory): posts the run's notification again, last; a failed delivery is a warning.
 */
export async function reportCommand(opts: { dir: string; metricsFile?: string; notifyUrl?: string }): Promise<void> {
  const notifyUrl = opts.notifyUrl === undefined ? undefined : checkNotifyUrl(opts.notifyUrl);
  const dir = path.resolve(opts.dir);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`${opts.dir}: not a directory (give a run directory or a reports directory)`);
  const rel = shownPath;
  const warn = (w: string) => process.stderr.write(`drill: warning: ${w}\n`);

  const file = path.join(dir, 'result.json');
  const isRun = await stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  let notice: { result: ResultJson; reportPath: string; resultPath: string } | null = null;
  if (isRun) {
    const result = await readResultFile(file);
    const paths = await writeRenderedReports(dir, result);
    notice = { result, reportPath: paths.htmlPath, resultPath: file };
    process.stdout.write(`report: ${rel(paths.htmlPath)}\njunit:  ${rel(paths.junitPath)}\n`);
    if (opts.metricsFile) {
      await writeMetricsFile(opts.metricsFile, result);
      process.stdout.write(`metrics: ${rel(path.resolve(opts.metricsFile))}\n`);
    }
  } else if (opts.metricsFile) {
    throw new UsageError(`--metrics-file needs a run directory (one that holds result.json), got the reports directory ${rel(dir)}`);
  } else if (notifyUrl) {
    throw new UsageError(`--notify-url needs a run directory (one that holds result.json), got the reports directory ${rel(dir)}`);
  }
  const index = await writeReportsIndex(isRun ? path.dirname(dir) : dir, { onWarning: warn });
  process.stdout.write(`index:  ${rel(index)}\n`);
  if (notifyUrl && notice) {
    const { delivery, message } = await notifyRun(notifyUrl, notice.result, notice);
    if (delivery.delivered) process.stdout.write(`notify: ${message}\n`);
    else warn(message);
  }
}

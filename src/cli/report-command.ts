import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ResultJson } from '../report/result.js';
import { writeRenderedReports } from '../outputs/write-outputs.js';
import { writeReportsIndex } from '../report/reports-index.js';
import { writeMetricsFile } from '../outputs/prometheus.js';
import { UsageError, errorMessage } from '../util/errors.js';

/**
 * `drill report <dir>`, from the result.json files alone:
 * - a run directory (it holds result.json): rebuild its report.html and junit.xml, then the index of the
 *   reports directory it is in (its parent);
 * - a reports directory (no result.json): rebuild only its index.html.
 * result.json itself is never rewritten. Skipped (corrupt) runs are warned about on stderr.
 */
export async function reportCommand(opts: { dir: string; metricsFile?: string }): Promise<void> {
  const dir = path.resolve(opts.dir);
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`${opts.dir}: not a directory (give a run directory or a reports directory)`);
  const rel = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r === '' ? '.' : r.startsWith('..') ? p : r;
  };
  const warn = (w: string) => process.stderr.write(`drill: warning: ${w}\n`);

  const file = path.join(dir, 'result.json');
  const isRun = await stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isRun) {
    let result: ResultJson;
    try {
      result = JSON.parse(await readFile(file, 'utf8')) as ResultJson;
    } catch (error) {
      throw new UsageError(`${rel(file)}: cannot read a result (${errorMessage(error)})`);
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- result.json is read from disk: it may be anything
    if (result?.schemaVersion !== 1 || typeof result.verdict !== 'string') throw new UsageError(`${rel(file)}: not a drill result.json (schemaVersion 1 expected)`);
    const paths = await writeRenderedReports(dir, result);
    process.stdout.write(`report: ${rel(paths.htmlPath)}\njunit:  ${rel(paths.junitPath)}\n`);
    if (opts.metricsFile) {
      await writeMetricsFile(opts.metricsFile, result);
      process.stdout.write(`metrics: ${rel(path.resolve(opts.metricsFile))}\n`);
    }
  } else if (opts.metricsFile) {
    throw new UsageError(`--metrics-file needs a run directory (one that holds result.json), got the reports directory ${rel(dir)}`);
  }
  const index = await writeReportsIndex(isRun ? path.dirname(dir) : dir, { onWarning: warn });
  process.stdout.write(`index:  ${rel(index)}\n`);
}

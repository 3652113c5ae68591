import path from 'node:path';
import { writeRunReports, type RunReportPaths } from '../outputs/write-outputs.js';
import { writeReportsIndex } from '../report/reports-index.js';
import type { ResultJson } from '../report/result.js';
import { errorMessage } from '../util/errors.js';
import { runDrill, type RunOptions } from './run-drill.js';

export interface ReportedRun {
  result: ResultJson;
  reportDir: string;
  paths: RunReportPaths;
  /** outDir/index.html, or null when it could not be written (the run's own reports were). */
  indexPath: string | null;
}

/** Run a drill, write its outputs into outDir/<runId>/ and rebuild outDir/index.html: what `drill run` and `drill schedule` do. */
export async function runAndReport(opts: RunOptions): Promise<ReportedRun> {
  const { result, reportDir } = await runDrill(opts);
  const paths = await writeRunReports(reportDir, result);
  const indexPath = await writeReportsIndex(path.dirname(reportDir), {
    onWarning: (w) => {
      opts.log.warn({ warning: w }, 'reports index: skipped a run');
    },
  }).catch((error: unknown) => {
    opts.log.warn({ err: errorMessage(error) }, 'reports index not written');
    return null;
  });
  return { result, reportDir, paths, indexPath };
}

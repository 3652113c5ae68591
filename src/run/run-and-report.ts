import { READ_HISTORY_FILE, writeReadHistory } from '../outputs/write-reads.js';
import path from 'node:path';
import { writeFallbackResult } from '../outputs/out-dir.js';
import { writeRunReports, type RunReportPaths } from '../outputs/write-outputs.js';
import { HISTORY_FILE, PROBE_HISTORY_FILE, writeHistory } from '../outputs/write-history.js';
import { writeReportsIndex } from '../report/reports-index.js';
import type { ResultJson } from '../report/result.js';
import { errorMessage } from '../util/errors.js';
import { trackUnreported } from './emergency.js';
import { runDrill, type RunOptions } from './run-drill.js';
import { testHang } from './test-hang.js';
import { writeNodeLogs } from '../outputs/write-logs.js';
import { LATEST_LINK, updateLatestLink } from '../report/latest-link.js';
import type { RunFiles } from '../report/result.js';
import { makeDir } from '../util/make-dir.js';
import type { Logger } from '../util/log.js';
import type { RunJournal } from './journal.js';

export type ReportedRun = {
  result: ResultJson;
  reportDir: string;
  /** outDir/index.html, or null when it could not be written (the run's own reports were). */
  indexPath: string | null;
} & (
  | { written: true; paths: RunReportPaths }
  /** The outputs could not be written: why, and where result.json went instead (null: nowhere, the caller prints it). */
  | { written: false; reportError: string; fallbackPath: string | null }
);

/** Run a drill, write its outputs into outDir/<runId>/ and rebuild outDir/index.html: what `drill run` and `drill schedule` do. */
export async function runAndReport(opts: RunOptions): Promise<ReportedRun> {
  const { result, reportDir, journal } = await runDrill(opts);
  const reported = trackUnreported(result);
  try {
    await testHang('report');
    await makeDir(reportDir);
    result.files = await writeEvidence(reportDir, result, journal, opts.log);
    const paths = await writeRunReports(reportDir, result);
    await updateLatestLink(reportDir).catch((error: unknown) => {
      opts.log.warn({ err: errorMessage(error) }, `${LATEST_LINK} link not updated`);
    });
    const indexPath = await writeReportsIndex(path.dirname(reportDir), {
      onWarning: (w) => {
        opts.log.warn({ warning: w }, 'reports index: skipped a run');
      },
    }).catch((error: unknown) => {
      opts.log.warn({ err: errorMessage(error) }, 'reports index not written');
      return null;
    });
    return { result, reportDir, indexPath, written: true, paths };
  } catch (error) {
    // Disk full, directory removed or made read-only during the run: the evidence goes somewhere else.
    const fallbackPath = await writeFallbackResult(result);
    opts.log.error({ err: errorMessage(error), reportDir, fallback: fallbackPath }, 'the reports could not be written where asked; result.json went to the fallback');
    return { result, reportDir, indexPath: null, written: false, reportError: errorMessage(error), fallbackPath };
  } finally {
    reported();
  }
}

/**
 * The evidence beside result.json, written first so that result.json links only files that exist: the
 * whole write history (result.json keeps only the first lost ids) and every node's log. A failure here is
 * reported, never at the cost of the reports themselves; without the logs, events lose their line links.
 */
async function writeEvidence(dir: string, result: ResultJson, journal: RunJournal, log: Logger): Promise<RunFiles> {
  const files: RunFiles = {};
  if (journal.load) {
    const writes = await writeHistory(dir, journal.load.history, journal.verification.presentIds).catch((error: unknown) => {
      log.warn({ err: errorMessage(error) }, `${HISTORY_FILE} not written`);
      return null;
    });
    if (writes) files.writes = writes;
  }
  if (journal.reads) {
    const reads = await writeReadHistory(dir, journal.reads.history).catch((error: unknown) => {
      log.warn({ err: errorMessage(error) }, `${READ_HISTORY_FILE} not written`);
      return null;
    });
    if (reads) files.reads = reads;
  }
  if (journal.probe) {
    const probeWrites = await writeHistory(dir, journal.probe.history, journal.verification.presentIds, PROBE_HISTORY_FILE).catch((error: unknown) => {
      log.warn({ err: errorMessage(error) }, `${PROBE_HISTORY_FILE} not written`);
      return null;
    });
    if (probeWrites) files.probeWrites = probeWrites;
  }
  const logs = await writeNodeLogs(dir, journal.logs).catch((error: unknown) => {
    log.warn({ err: errorMessage(error) }, 'container logs not written');
    return null;
  });
  if (logs?.length) files.logs = logs;
  if (!logs) result.events = result.events.map(({ log: _unlinked, ...e }) => e);
  return files;
}

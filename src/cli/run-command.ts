import path from 'node:path';
import { DrillFileError, loadDrillFile } from '../spec/load-drill.js';
import { runAndReport } from '../run/run-and-report.js';
import { renderSummaryText } from '../report/summary-text.js';
import type { ResultJson } from '../report/result.js';
import { createLogger, type Logger } from '../util/log.js';
import { writeMetricsFile } from '../outputs/prometheus.js';
import { UsageError, errorMessage } from '../util/errors.js';
import { assertNever } from '../util/assert-never.js';
import { checkOutDir } from '../outputs/out-dir.js';
import { checkNotifyUrl } from '../outputs/notify-url.js';
import { notifyRun } from '../outputs/notify.js';
import { watchSignals } from './signal-watchdog.js';
import { EXIT } from './exit-codes.js';

/**
 * `drill run <file>`: validate, run, report. Exit 0 pass, 1 objective missed, 2 bad drill file, 3 error or
 * aborted or reports not written where asked, 130/143 interrupted. SIGINT/SIGTERM abort the run, which
 * still heals, tears down and reports; the watchdog (signal-watchdog.ts) ends it within --stop-timeout
 * whatever it was doing, and at once on a second signal.
 */
export async function runCommand(opts: {
  file: string;
  outDir: string;
  json: boolean;
  logLevel: string;
  keepStack: boolean;
  stopTimeoutMs: number;
  metricsFile?: string;
  notifyUrl?: string;
}): Promise<void> {
  // Flags first: a webhook off loopback is refused before anything starts (exit 2).
  const notifyUrl = opts.notifyUrl === undefined ? undefined : checkNotifyUrl(opts.notifyUrl);
  const log = createLogger({ level: opts.logLevel });
  let loaded;
  try {
    loaded = await loadDrillFile(opts.file);
  } catch (error) {
    if (error instanceof DrillFileError) throw new UsageError(error.message);
    throw error;
  }

  // Where the evidence goes must work before anything starts (exit 2 otherwise).
  await checkOutDir(opts.outDir);

  const controller = new AbortController();
  const signals = watchSignals({
    log,
    stopTimeoutMs: opts.stopTimeoutMs,
    outDir: opts.outDir,
    abort: (reason) => {
      controller.abort(reason);
    },
    report: (result, resultPath) => {
      printOutcome(opts.json, result, resultPath ? { resultPath, fallback: !resultPath.startsWith(path.resolve(opts.outDir)) } : null);
    },
  });
  try {
    const run = await runAndReport({ drill: loaded, outDir: opts.outDir, log, signal: controller.signal, keepStack: opts.keepStack });
    const { result } = run;
    if (run.written) {
      printOutcome(opts.json, result, { ...run.paths, indexPath: run.indexPath, fallback: false });
    } else {
      log.error({ err: run.reportError, fallback: run.fallbackPath }, 'the reports could not be written to the reports directory');
      printOutcome(opts.json, result, run.fallbackPath ? { resultPath: run.fallbackPath, fallback: true } : null);
    }
    const metricsWritten = opts.metricsFile === undefined || (await writeMetrics(opts.metricsFile, result, log));
    process.exitCode = signals.interrupted === 'SIGINT' ? EXIT.sigint : signals.interrupted === 'SIGTERM' ? EXIT.sigterm : !run.written || !metricsWritten ? EXIT.infra : verdictExit(result.verdict);
    // Last, once everything is on disk and the exit code is set: a failed delivery only warns.
    if (notifyUrl) {
      const paths = run.written ? { reportPath: path.resolve(run.paths.htmlPath), resultPath: path.resolve(run.paths.resultPath) } : { reportPath: null, resultPath: run.fallbackPath };
      const { delivery, message } = await notifyRun(notifyUrl, result, paths);
      if (delivery.delivered) log.info({ attempts: delivery.attempts, status: delivery.status }, message);
      else log.warn({ attempts: delivery.attempts, status: delivery.status, problem: delivery.problem }, message);
    }
  } catch (error) {
    log.error({ err: errorMessage(error) }, 'the run could not be reported');
    process.exitCode = EXIT.infra;
  } finally {
    signals.dispose();
  }
}

/** --metrics-file: false (logged) when it could not be written: an output asked for is missing, exit 3. */
async function writeMetrics(file: string, result: ResultJson, log: Logger): Promise<boolean> {
  try {
    await writeMetricsFile(file, result);
    return true;
  } catch (error) {
    log.error({ err: errorMessage(error), file }, 'the metrics file could not be written');
    return false;
  }
}

function verdictExit(verdict: ResultJson['verdict']): number {
  switch (verdict) {
    case 'pass':
      return EXIT.ok;
    case 'fail':
      return EXIT.objectiveMissed;
    case 'error':
    case 'aborted':
      return EXIT.infra;
    default:
      return assertNever(verdict, 'verdict');
  }
}

/** A path as typed from here when it is below the working directory, else absolute (never "../../tmp/..."). */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(p);
}

/**
 * The outcome on stdout. `where` null: nothing could be written anywhere, so the whole result goes to
 * stdout (with --json it always does when the reports directory failed: the summary carries it).
 */
function printOutcome(json: boolean, result: ResultJson, where: { resultPath: string; htmlPath?: string; junitPath?: string; indexPath?: string | null; fallback: boolean } | null): void {
  if (json) {
    const summary = {
      runId: result.runId,
      verdict: result.verdict,
      reason: result.reason,
      objectives: result.objectives,
      measured: result.measured && summaryNumbers(result.measured),
      resultPath: where?.resultPath ?? null,
      reportPath: where?.htmlPath ?? null,
      junitPath: where?.junitPath ?? null,
      indexPath: where?.indexPath ?? null,
      ...(where === null || where.fallback ? { fallback: true, result } : {}),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  let text = renderSummaryText(result) + '\n';
  if (where === null) text += `the reports could not be written anywhere; the whole result.json follows:\n${JSON.stringify(result)}\n`;
  else if (where.fallback) text += `the reports directory failed: result.json saved to ${where.resultPath}\n`;
  else {
    text += `report: ${shown(where.htmlPath ?? where.resultPath)}\n`;
    if (where.junitPath) text += `junit:  ${shown(where.junitPath)}\n`;
    if (where.indexPath) text += `index:  ${shown(where.indexPath)}\n`;
  }
  process.stdout.write(text);
}

function summaryNumbers(m: NonNullable<ResultJson['measured']>) {
  const { rtoMs, downtimeMs, rpoMs, ackedWrites, failedWrites, unknownWrites, lostWrites, recoveredWrites, unexpectedWrites, precisionMs } = m;
  return { rtoMs, downtimeMs, rpoMs, ackedWrites, failedWrites, unknownWrites, lostWrites, recoveredWrites, unexpectedWrites, precisionMs };
}

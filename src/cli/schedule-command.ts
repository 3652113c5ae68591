import path from 'node:path';
import { loadDrillFile } from '../spec/load-drill.js';
import { checkTimezone, scheduledDrills } from './schedule-drills.js';
import { runAndReport } from '../run/run-and-report.js';
import { startScheduler, type ScheduledDrill } from '../schedule/scheduler.js';
import { createLogger, quietLevel, type Logger } from '../util/log.js';
import { errorMessage } from '../util/errors.js';
import { EXIT } from './exit-codes.js';
import { checkOutDir } from '../outputs/out-dir.js';
import { checkNotifyUrl } from '../outputs/notify-url.js';
import { notifyRun } from '../outputs/notify.js';
import { watchSignals } from './signal-watchdog.js';
import { paintFor } from './colour.js';
import { progressOnStderr } from './terminal.js';
import { verdictTone } from '../report/summary-text.js';
import { pathToFileURL } from 'node:url';
import { clearStatusLine } from '../util/status-line.js';

/**
 * `drill schedule <file or dir>...`: run drills at the times of their cron expressions (the drill file's
 * `schedule`, or --cron for every drill given) until SIGTERM/SIGINT. Each run is a `drill run`: reports in
 * OUT/<run>/ and the index OUT/index.html rewritten after it. A drill never overlaps itself; drills run one
 * at a time unless --parallel. On SIGTERM/SIGINT: no new run starts, the running drill is aborted (faults
 * healed, stack removed, what was measured reported), then exit 143/130. --notify-url: each run's verdict
 * is posted as `drill run` does. See docs/schedule.md; --dry-run is schedule-dry-run-command.ts.
 */
export interface ScheduleOptions {
  paths: string[];
  cron?: string;
  outDir: string;
  logLevel: string;
  json: boolean;
  parallel: boolean;
  timezone?: string;
  stopTimeoutMs: number;
  notifyUrl?: string;
  /** On a terminal: plain progress lines instead of the live line; logs from warn up. */
  quiet: boolean;
}

export async function scheduleCommand(opts: ScheduleOptions): Promise<void> {
  const notifyUrl = opts.notifyUrl === undefined ? undefined : checkNotifyUrl(opts.notifyUrl);
  const log = createLogger({ level: opts.quiet ? quietLevel(opts.logLevel) : opts.logLevel });
  const drills = await scheduledDrills(opts, log);
  checkTimezone(opts.timezone);

  // Before the first run: the reports directory must work (exit 2 otherwise).
  await checkOutDir(opts.outDir);
  const scheduler = startScheduler({ drills, log, parallel: opts.parallel, timezone: opts.timezone, runOne: (d, signal) => runScheduled(d, signal, opts, log, notifyUrl) });
  const signals = watchSignals({
    log,
    stopTimeoutMs: opts.stopTimeoutMs,
    outDir: opts.outDir,
    abort: (reason) => {
      log.warn({ signal: reason.signal }, 'stopping the schedule: no new run starts; the running drill (if any) is aborted, healed and torn down');
      void scheduler.stop(reason);
    },
    report: (result, resultPath) => {
      // The watchdog's own way out: the running drill's progress line goes first.
      clearStatusLine();
      process.stdout.write(
        opts.json
          ? `${JSON.stringify({ drill: result.drill.name, runId: result.runId, verdict: result.verdict, reason: result.reason, resultPath })}\n`
          : `${result.verdict.toUpperCase().padEnd(7)} ${result.drill.name}  ${result.runId}  result.json: ${resultPath ?? 'not written'}\n`,
      );
    },
  });
  log.info(
    { drills: scheduler.nextRuns().map((d) => ({ drill: d.name, cron: d.cron, next: d.next?.toISOString() ?? null })), out: opts.outDir, parallel: opts.parallel },
    `scheduling ${drills.length} drill(s)`,
  );
  try {
    await scheduler.stopped;
  } finally {
    signals.dispose();
  }
  log.info({ signal: signals.interrupted }, 'schedule stopped');
  process.exitCode = signals.interrupted === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
}

/** One scheduled run: the drill file read again (an edit applies from the next run on), run, reported. */
async function runScheduled(d: ScheduledDrill, signal: AbortSignal, opts: ScheduleOptions, log: Logger, notifyUrl: URL | undefined): Promise<void> {
  let loaded;
  try {
    loaded = await loadDrillFile(d.file);
  } catch (error) {
    log.error({ drill: d.name, file: d.file, err: errorMessage(error) }, 'the drill file is no longer valid: this run is skipped');
    return;
  }
  // Progress on a terminal only (a live line, or plain lines with --parallel or --quiet): as a service,
  // the log already says when each run starts and ends.
  const progress = progressOnStderr({ quiet: opts.quiet, singleRun: !opts.parallel, notATerminal: 'off', prefix: d.name, paint: paintFor(process.stderr) });
  let run;
  try {
    run = await runAndReport({
      drill: loaded,
      outDir: opts.outDir,
      log,
      signal,
      observe: (live) => {
        progress.observe(live);
      },
    });
  } finally {
    progress.stop();
  }
  const { result } = run;
  const abs = (p: string | null) => p && path.resolve(p);
  const resultPath = abs(run.written ? run.paths.resultPath : run.fallbackPath);
  const reportPath = abs(run.written ? run.paths.htmlPath : null);
  const indexPath = abs(run.indexPath);
  const m = result.measured;
  log.info(
    {
      drill: d.name,
      runId: result.runId,
      verdict: result.verdict,
      reason: result.reason,
      rtoMs: m?.rtoMs ?? null,
      lostWrites: m?.lostWrites ?? null,
      report: reportPath,
      result: resultPath,
      index: indexPath,
    },
    `scheduled run ${result.verdict.toUpperCase()}`,
  );
  if (!run.written) log.error({ err: run.reportError, fallback: run.fallbackPath }, 'the reports could not be written to the reports directory');
  const reportUrl = reportPath && pathToFileURL(reportPath).href;
  const verdict = result.verdict.toUpperCase();
  process.stdout.write(
    opts.json
      ? `${JSON.stringify({ drill: d.name, file: d.file, drillFile: path.resolve(d.file), runId: result.runId, verdict: result.verdict, reason: result.reason, startedAt: result.startedAt, finishedAt: result.finishedAt, resultPath, reportPath, reportUrl, indexPath, ...(run.written ? {} : { fallback: true, result }) })}\n`
      : // Padded before painting: the colour codes take no column.
        `${paintFor(process.stdout)(verdictTone(result.verdict), verdict, true)}${' '.repeat(Math.max(1, 8 - verdict.length))}${d.name}  ${result.runId}  ${reportPath ?? `reports not written; result.json: ${resultPath ?? JSON.stringify(result)}`}${result.reason ? `  (${result.reason})` : ''}\n`,
  );
  if (notifyUrl) {
    const { delivery, message } = await notifyRun(notifyUrl, result, { reportPath, resultPath });
    if (delivery.delivered) log.info({ drill: d.name, runId: result.runId, attempts: delivery.attempts }, message);
    else log.warn({ drill: d.name, runId: result.runId, attempts: delivery.attempts, problem: delivery.problem }, message);
  }
}

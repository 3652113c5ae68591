import { loadDrillForCli } from './load-drill-for-cli.js';
import path from 'node:path';
import type { ResultJson } from '../report/result.js';
import { createLogger, quietLevel, type Logger } from '../util/log.js';
import { writeMetricsFile } from '../outputs/prometheus.js';
import { UsageError, errorMessage } from '../util/errors.js';
import { serveLiveMetrics } from './live-metrics.js';
import { assertNever } from '../util/assert-never.js';
import { checkOutDir } from '../outputs/out-dir.js';
import { checkNotifyUrl } from '../outputs/notify-url.js';
import { notifyRun } from '../outputs/notify.js';
import { EXIT } from './exit-codes.js';
import { paintFor } from './colour.js';
import { runOutcomeText, runSummaryJson, type RunFilesWritten } from './run-outcome.js';
import { progressOnStderr } from './terminal.js';
import { outputWriters } from '../outputs/registry.js';
import type { RunDeps } from '../run/run-state.js';

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
  /** Serve the live figures on 127.0.0.1:<port>/metrics while the run goes on. */
  metricsPort?: number;
  notifyUrl?: string;
  /** Plain progress lines instead of the live line, and logs from warn up. */
  quiet: boolean;
  /** Parts of the run replaced (tests: the fake engine, to drive this command under a pseudo-terminal). */
  deps?: Partial<RunDeps>;
}): Promise<void> {
  // Flags first: a webhook off loopback is refused before anything starts (exit 2).
  const notifyUrl = opts.notifyUrl === undefined ? undefined : checkNotifyUrl(opts.notifyUrl);
  const log = createLogger({ level: opts.quiet ? quietLevel(opts.logLevel) : opts.logLevel });
  const loaded = await loadDrillForCli(opts.file);

  // Where the evidence goes must work before anything starts (exit 2 otherwise).
  await checkOutDir(opts.outDir);
  const metricsServer = opts.metricsPort === undefined ? null : await serveLiveMetrics(checkMetricsPort(opts.metricsPort));
  if (metricsServer) log.info({ url: `http://127.0.0.1:${metricsServer.port}/metrics` }, 'live metrics');
  // The runner and the watchdog's teardown bring the engine, load and database clients: loaded once the
  // drill file and the reports directory are known to be good, so a mistyped file is refused without them.
  const [{ runAndReport }, { watchSignals }] = await Promise.all([import('../run/run-and-report.js'), import('./signal-watchdog.js')]);

  const controller = new AbortController();
  const progress = progressOnStderr({ quiet: opts.quiet, singleRun: true, notATerminal: 'plain', prefix: 'drill', paint: paintFor(process.stderr) });
  const signals = watchSignals({
    log,
    stopTimeoutMs: opts.stopTimeoutMs,
    outDir: opts.outDir,
    abort: (reason) => {
      controller.abort(reason);
    },
    report: (result, resultPath) => {
      progress.stop();
      printOutcome(opts, result, resultPath ? watchdogFiles(resultPath, opts.outDir) : null);
    },
  });
  try {
    const run = await runAndReport({
      drill: loaded,
      outDir: opts.outDir,
      log,
      signal: controller.signal,
      keepStack: opts.keepStack,
      observe: (live) => {
        progress.observe(live);
        metricsServer?.observe(live);
      },
      ...(opts.deps ? { deps: opts.deps } : {}),
    });
    progress.stop();
    const { result } = run;
    if (run.written) {
      printOutcome(opts, result, { ...run.paths, indexPath: run.indexPath, fallback: false });
    } else {
      log.error({ err: run.reportError, fallback: run.fallbackPath }, 'the reports could not be written to the reports directory');
      printOutcome(opts, result, run.fallbackPath ? { resultPath: run.fallbackPath, fallback: true } : null);
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
    progress.stop();
    signals.dispose();
    await metricsServer?.close();
  }
}

/** A TCP port, or 0 for any free one (the log line says which). */
function checkMetricsPort(port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--metrics-port: expected a TCP port (0 for any free one), got ${String(port)}`);
  return port;
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

/** The outcome on stdout: the summary and the paths, or with --json one line (see run-outcome.ts). */
function printOutcome(opts: { json: boolean; file: string }, result: ResultJson, where: RunFilesWritten | null): void {
  process.stdout.write(opts.json ? `${JSON.stringify(runSummaryJson(result, opts.file, where))}\n` : runOutcomeText(result, where, paintFor(process.stdout)));
}

/** Files the watchdog wrote: the run's reports in its directory, or result.json alone in the temp directory. */
function watchdogFiles(resultPath: string, outDir: string): RunFilesWritten {
  const inside = path.relative(path.resolve(outDir), path.resolve(resultPath));
  if (inside.startsWith('..') || path.isAbsolute(inside)) return { resultPath, fallback: true };
  const dir = path.dirname(resultPath);
  return { resultPath, htmlPath: path.join(dir, outputWriters.html.file), junitPath: path.join(dir, outputWriters.junit.file), fallback: false };
}

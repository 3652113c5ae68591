import path from 'node:path';
import { DrillFileError, loadDrillFile } from '../spec/load-drill.js';
import { runAndReport } from '../run/run-and-report.js';
import { renderSummaryText } from '../report/summary-text.js';
import type { ResultJson } from '../report/result.js';
import { createLogger } from '../util/log.js';
import { AbortedError, UsageError, errorMessage } from '../util/errors.js';
import { EXIT } from './exit-codes.js';

/**
 * `drill run <file>`: validate, run, report. Exit 0 pass, 1 objective missed, 2 bad drill file, 3 error or
 * aborted, 130/143 interrupted. SIGINT/SIGTERM abort the run, which still heals, tears down and reports;
 * a second signal is acknowledged but the teardown still runs (it is what keeps the engine clean).
 */
export async function runCommand(opts: { file: string; outDir: string; json: boolean; logLevel: string; keepStack: boolean }): Promise<void> {
  const log = createLogger({ level: opts.logLevel });
  let loaded;
  try {
    loaded = await loadDrillFile(opts.file);
  } catch (error) {
    if (error instanceof DrillFileError) throw new UsageError(error.message);
    throw error;
  }

  const controller = new AbortController();
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      log.warn({ signal }, 'second signal: not waiting for anything more; removing the stack, then exiting');
      return;
    }
    interrupted = signal;
    log.warn({ signal }, 'interrupted: healing faults, removing the stack, writing what was measured');
    controller.abort(new AbortedError(`interrupted by ${signal}`, signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { result, paths, indexPath } = await runAndReport({ drill: loaded, outDir: opts.outDir, log, signal: controller.signal, keepStack: opts.keepStack });
    const rel = (p: string) => path.relative(process.cwd(), p);
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ runId: result.runId, verdict: result.verdict, reason: result.reason, objectives: result.objectives, measured: result.measured && summaryNumbers(result.measured), resultPath: paths.resultPath, reportPath: paths.htmlPath, junitPath: paths.junitPath, indexPath })}\n`,
      );
    } else {
      process.stdout.write(`${renderSummaryText(result)}\nreport: ${rel(paths.htmlPath)}\njunit:  ${rel(paths.junitPath)}\n${indexPath ? `index:  ${rel(indexPath)}\n` : ''}`);
    }
    process.exitCode =
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by another callback (signal handler, timer) while this one waits
      interrupted === 'SIGINT'
        ? EXIT.sigint
        : // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by another callback (signal handler, timer) while this one waits
          interrupted === 'SIGTERM'
          ? EXIT.sigterm
          : result.verdict === 'pass'
            ? EXIT.ok
            : result.verdict === 'fail'
              ? EXIT.objectiveMissed
              : EXIT.infra;
  } catch (error) {
    log.error({ err: errorMessage(error) }, 'the run could not be reported');
    process.exitCode = EXIT.infra;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function summaryNumbers(m: NonNullable<ResultJson['measured']>) {
  const { rtoMs, downtimeMs, rpoMs, ackedWrites, failedWrites, unknownWrites, lostWrites, recoveredWrites, unexpectedWrites, precisionMs } = m;
  return { rtoMs, downtimeMs, rpoMs, ackedWrites, failedWrites, unknownWrites, lostWrites, recoveredWrites, unexpectedWrites, precisionMs };
}

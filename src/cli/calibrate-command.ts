import { loadDrillText } from '../spec/load-drill.js';
import { runDrill } from '../run/run-drill.js';
import { calibrationDrillYaml, calibrationOutcome } from '../run/calibration.js';
import { writeRunReports } from '../outputs/write-outputs.js';
import { createLogger } from '../util/log.js';
import { AbortedError } from '../util/errors.js';
import { EXIT } from './exit-codes.js';

/** `drill calibrate`: a known outage, measured; prints measured vs true downtime and the error. */
export async function calibrateCommand(opts: { pauseMs: number; rate: number; runs: number; outDir: string; json: boolean; logLevel: string }): Promise<void> {
  const log = createLogger({ level: opts.logLevel });
  const source = calibrationDrillYaml(opts.pauseMs, opts.rate);
  const drill = loadDrillText(source, '(built-in calibration drill)');
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    controller.abort(new AbortedError(`interrupted by ${signal}`, signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const rows = [];
  let ok = true;
  try {
    for (let i = 0; i < opts.runs && !controller.signal.aborted; i++) {
      const { result, reportDir } = await runDrill({ drill, outDir: opts.outDir, log, signal: controller.signal });
      await writeRunReports(reportDir, result);
      const outcome = calibrationOutcome(result);
      if (result.verdict === 'error' || result.verdict === 'aborted' || !outcome) {
        process.stderr.write(`calibration run ${i + 1} did not complete: ${result.reason ?? 'no fault recorded'}\n`);
        process.exitCode = EXIT.infra;
        return;
      }
      ok &&= outcome.withinPrecision;
      rows.push({ run: i + 1, ...outcome, report: reportDir });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
  } else {
    process.stdout.write(`calibration: freeze the Redis master for ${opts.pauseMs} ms under ${opts.rate} writes/s, no failover\n`);
    process.stdout.write('run  true outage (freezer)  measured downtime  error      precision  within\n');
    for (const r of rows) {
      process.stdout.write(
        `${String(r.run).padEnd(5)}${`${r.trueOutageMs} ± ${r.truthDoubtMs} ms`.padEnd(23)}${`${r.measuredDowntimeMs ?? 'n/a'} ms`.padEnd(19)}${`${r.errorMs ?? 'n/a'} ms`.padEnd(11)}${`± ${r.precisionMs} ms`.padEnd(11)}${r.withinPrecision ? 'yes' : 'NO'}\n`,
      );
    }
  }
  process.exitCode = ok ? EXIT.ok : EXIT.objectiveMissed;
}

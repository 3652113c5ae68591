import path from 'node:path';
import { writeFallbackResult } from '../outputs/out-dir.js';
import { writeRunReports } from '../outputs/write-outputs.js';
import type { ResultJson } from '../report/result.js';
import { emergencyStop } from '../run/emergency.js';
import { AbortedError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { withinMs } from '../util/wait.js';
import { EXIT } from './exit-codes.js';

// SIGINT/SIGTERM, always answered. The first signal aborts the run, which heals, tears down and reports
// as usual. If the process has not ended `stopTimeoutMs` after it (a stuck phase, a hung filesystem), or
// at a second signal, the watchdog heals and removes what is left itself, writes what was measured
// (the reports directory if it answers within 2 s, else the system temp directory), and exits.

/** What the emergency path takes, at most, once it starts: heal and remove, then write. */
const EMERGENCY_STOP_MS = 8000;
const EMERGENCY_WRITE_MS = 2000;

export interface SignalWatch {
  readonly interrupted: NodeJS.Signals | null;
  dispose(): void;
}

export function watchSignals(opts: {
  log: Logger;
  stopTimeoutMs: number;
  outDir: string;
  /** The first signal: abort whatever is running. */
  abort(reason: AbortedError): void;
  /** Tell the user where a result saved by the watchdog went (null: nowhere could be written). */
  report(result: ResultJson, resultPath: string | null): void;
}): SignalWatch {
  let interrupted: NodeJS.Signals | null = null;
  let timer: NodeJS.Timeout | undefined;
  let emergencyStarted = false;
  const emergency = async (signal: NodeJS.Signals, why: string) => {
    if (emergencyStarted) return;
    emergencyStarted = true;
    const results = await withinMs(emergencyStop(why, EMERGENCY_STOP_MS), EMERGENCY_STOP_MS + 1000, []);
    for (const result of results) {
      const written = await withinMs(
        writeRunReports(path.join(opts.outDir, result.runId), result).then((p) => p.resultPath),
        EMERGENCY_WRITE_MS,
        null,
      );
      opts.report(result, written ?? (await withinMs(writeFallbackResult(result), EMERGENCY_WRITE_MS, null)));
    }
    process.exit(signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      opts.log.warn({ signal }, 'second signal: healing and removing the stack now, then exiting');
      void emergency(signal, `second signal (${signal}) during the shutdown`);
      return;
    }
    interrupted = signal;
    opts.log.warn({ signal, stopTimeoutMs: opts.stopTimeoutMs }, 'interrupted: healing faults, removing the stack, writing what was measured');
    opts.abort(new AbortedError(`interrupted by ${signal}`, signal));
    // Leave the emergency path its own time inside the bound.
    const graceMs = Math.max(1000, opts.stopTimeoutMs - EMERGENCY_STOP_MS - EMERGENCY_WRITE_MS - 1000);
    timer = setTimeout(() => {
      opts.log.error({ signal, graceMs }, 'the run did not end in time after the signal');
      void emergency(signal, `the run did not end within ${Math.round(graceMs / 1000)} s of ${signal}`);
    }, graceMs);
    timer.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get interrupted() {
      return interrupted;
    },
    dispose() {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

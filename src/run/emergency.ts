import { stopReads } from './reads-stream.js';
import { removeRun } from '../engine/resources.js';
import type { ResultJson } from '../report/result.js';
import { AbortedError } from '../util/errors.js';
import { withinMs } from '../util/wait.js';
import { buildResult } from './build-result.js';
import { healNoted, releaseWarm } from './phases/down.js';
import { stopProbe } from './probe-stream.js';
import type { RunState } from './run-state.js';

// The way out when a run does not end after a signal (a phase stuck on a hung engine call, a report
// written to a filesystem that no longer answers): the CLI's watchdog calls emergencyStop(), which heals
// what is still injected, removes every labelled resource of each run in flight, and hands back what each
// run measured so far, so the evidence can still be written. Every step is bounded in time.

const runsInFlight = new Set<RunState>();
const unreported = new Set<ResultJson>();

/** While a run is in flight (runDrill registers it, and unregisters it once `down` is over). */
export function trackRun(run: RunState): () => void {
  runsInFlight.add(run);
  return () => runsInFlight.delete(run);
}

/** A result from the moment it exists until its reports are written (runAndReport). */
export function trackUnreported(result: ResultJson): () => void {
  unreported.add(result);
  return () => unreported.delete(result);
}

/** Heal, remove, and return every result there is: finished but unreported ones, and the partial result of each run in flight. */
export async function emergencyStop(reason: string, budgetMs: number): Promise<ResultJson[]> {
  const deadline = Date.now() + budgetMs;
  const left = () => Math.max(100, deadline - Date.now());
  const results = [...unreported];
  for (const run of [...runsInFlight]) {
    run.journal.failure ??= new AbortedError(reason, 'SIGTERM');
    run.log.error({ reason }, 'watchdog: the run did not end in time after the signal; healing and removing its stack now');
    if (run.load && !run.journal.load) {
      await withinMs(run.load.stop(), Math.min(2000, left()), undefined);
      run.journal.load = { history: run.load.history(), stats: run.load.stats() };
    }
    await withinMs(
      stopReads(run).catch(() => {}),
      Math.min(2000, left()),
      undefined,
    );
    await withinMs(
      stopProbe(run).catch(() => {}),
      Math.min(2000, left()),
      undefined,
    );
    for (const fault of run.live) await withinMs(healNoted(run, fault), Math.min(5000, left()), undefined);
    await withinMs(releaseWarm(run), Math.min(1000, left()), undefined);
    if (run.journal.engineVersion !== null && !run.opts.keepStack) {
      const removed = await withinMs(removeRun(run.deps.docker, run.journal.runId), left(), { containers: 0, networks: 0, errors: ['timed out'] });
      if (removed.errors.length) run.journal.note('runner', `teardown left resources behind: ${removed.errors.join('; ')}`, 'teardown-error');
    }
    results.push(buildResult(run));
    runsInFlight.delete(run);
  }
  return results;
}

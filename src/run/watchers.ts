import { descriptorOf } from '../stacks/descriptors.js';
import { disasterFaults } from '../faults/backup-damage.js';
import { startDetector } from './detector.js';
import type { RunState } from './run-state.js';
import { watchStopConditions } from './stop-conditions.js';

/** What watches the run while the steps go on: drill's failure detector where the stack asks for one, and the stop conditions. */
export function startWatchers(run: RunState): void {
  const { journal, spec } = run;
  const detector = descriptorOf(spec.stack).detector(spec.stack);
  const runbook = run.stack?.runbook;
  if (detector && runbook) {
    const started = startDetector({
      runbook,
      config: detector,
      clock: journal.clock,
      log: run.log,
      signal: run.signal,
      note: (e) => {
        journal.record(e);
      },
    });
    run.watchers.push(() => started.stop());
  }
  const stopWatching = watchStopConditions({
    spec: spec.abortIf,
    load: run.load!,
    clock: journal.clock,
    stableMs: spec.measure.stableMs,
    firstFaultAtMs: () => disasterFaults(journal.faults)[0]?.injectedAtMs ?? null,
    abort: (reason) => {
      run.log.warn({ reason: reason.message }, 'aborting the run');
      journal.note('runner', reason.message, 'abort');
      run.abort(reason);
    },
  });
  run.watchers.push(() => {
    stopWatching();
    return Promise.resolve();
  });
}

/** Stop every watcher (once: each is removed as it stops). */
export async function stopWatchers(run: RunState): Promise<void> {
  for (const stop of run.watchers.splice(0)) await stop();
}

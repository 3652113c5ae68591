import { stopReads } from '../reads-stream.js';
import { removeRun } from '../../engine/resources.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { InjectedFault } from '../../faults/plugin.js';
import type { RunState } from '../run-state.js';
import { stopWatchers } from '../watchers.js';
import { withinMs } from '../../util/wait.js';
import { collectLogs } from './collect-logs.js';
import { stopProbe } from '../probe-stream.js';
import { releaseFreezerWarm } from '../../faults/container/freezer-warm.js';

/**
 * Teardown, whatever happened before: load stopped, watchers stopped, every fault healed, the stack's
 * connections closed, every labelled resource of the run removed. It never hides the run's own error;
 * a teardown error is reported too.
 */
/** Heal one injected fault; a failure goes on the timeline and in the log, never thrown (teardown goes on). */
export function healNoted(run: RunState, fault: InjectedFault): Promise<void> {
  return fault.heal().catch((error: unknown) => {
    run.journal.note('runner', `heal failed: ${errorMessage(error)}`, 'heal-error');
    run.log.warn({ err: errorMessage(error) }, 'heal failed');
  });
}

/** Drop the run's reference to the warm freezer cgroup, once (after every pause it watched has healed). */
export async function releaseWarm(run: RunState): Promise<void> {
  if (!run.freezerWarm) return;
  run.freezerWarm = false;
  await releaseFreezerWarm();
}

export async function down(run: RunState): Promise<void> {
  const { journal, log } = run;
  await run.load?.stop().catch((error: unknown) => {
    log.warn({ err: errorMessage(error) }, 'stopping the load failed');
  });
  if (run.load) journal.load = { history: run.load.history(), stats: run.load.stats() };
  await stopReads(run).catch((error: unknown) => {
    log.warn({ err: errorMessage(error) }, 'stopping the reads failed');
  });
  await stopProbe(run).catch((error: unknown) => {
    log.warn({ err: errorMessage(error) }, 'stopping the probe stream failed');
  });
  await stopWatchers(run).catch(() => {});
  // A layer's work in flight (a backup) is waited for, but not past 15 s: teardown must end.
  for (const layer of run.layers) await withinMs(layer.quiesce(), 15_000, undefined);
  for (const f of run.live) await healNoted(run, f);
  await releaseWarm(run);
  const helpers = run.networkHelpers;
  run.networkHelpers = undefined;
  await helpers?.release();
  await run.stack?.stop().catch(() => {});
  run.engineEvents?.stop();
  // No engine at preflight: nothing was created, so there is nothing to remove.
  if (journal.engineVersion === null) return;
  // Within 20 s: the evidence is worth a wait, not a teardown that never ends.
  await withinMs(collectLogs(run), 20_000, undefined);
  if (run.opts.keepStack) {
    journal.note('runner', 'stack kept running on request (--keep-stack): `drill cleanup` removes it', 'stack-kept');
    log.warn(
      { containers: run.stack?.containers.map((c) => `${c.node}=${c.name} 127.0.0.1:${Object.values(c.ports).join(',')}`) },
      'stack kept running (--keep-stack); remove it with `drill cleanup`',
    );
    return;
  }
  const removed = await removeRun(run.deps.docker, journal.runId).catch((error: unknown) => ({ containers: 0, networks: 0, errors: [errorMessage(error)] }));
  if (removed.errors.length) {
    journal.note('runner', `teardown left resources behind: ${removed.errors.join('; ')}`, 'teardown-error');
    log.error({ errors: removed.errors }, 'teardown left resources behind: the next run or `drill cleanup` removes them (labelled)');
    journal.failure ??= new InfraError(`teardown failed: ${removed.errors.join('; ')}`);
  } else {
    log.info({ containers: removed.containers, networks: removed.networks }, 'stack removed');
  }
}

import { sleep } from '../../util/wait.js';
import type { RunState } from '../run-state.js';
import { stopWatchers } from '../watchers.js';
import { stopProbe } from '../probe-stream.js';
import { stopReads } from '../reads-stream.js';

/** The rest of the load; then the watchers stop and every fault still in effect heals (a killed node without `duration` stays dead). */
export async function finishLoad(run: RunState): Promise<void> {
  const { journal, spec } = run;
  await sleep(spec.load.durationMs - journal.clock.nowMs(), run.signal);
  await Promise.all([run.load!.stop(), stopProbe(run), stopReads(run)]);
  journal.note('load', 'load stopped', 'load-end');
  await stopWatchers(run);
  for (const f of run.live) await f.heal();
}

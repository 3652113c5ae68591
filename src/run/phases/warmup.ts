import { sleep } from '../../util/wait.js';
import type { RunState } from '../run-state.js';
import { startReads } from '../reads-stream.js';

/** The load starts `warmup` before t=0, so `at: 5s` in the drill file is t=5000 on every timeline. */
export async function warmup(run: RunState): Promise<void> {
  const { journal, spec } = run;
  const stack = run.stack!;
  journal.clock.setOriginNow(spec.load.warmupMs);
  const load = run.deps.createLoad({
    urls: stack.appUrls ?? [stack.appUrl],
    rate: spec.load.rate,
    connections: spec.load.connections,
    timeoutMs: spec.load.timeoutMs,
    clock: journal.clock,
    signal: run.signal,
    ...(spec.load.reads ? { keys: spec.load.reads.keys } : {}),
  });
  run.load = load;
  await load.start();
  startReads(run, stack.appUrls ?? [stack.appUrl]);
  for (const layer of run.layers) {
    await layer.events(
      (e) => {
        journal.record(e);
      },
      { faults: journal.faults },
    );
  }
  journal.note('load', `load started: ${spec.load.rate} writes/s open-loop over ${spec.load.connections} connections`, 'load-start');
  run.log.info({ rate: spec.load.rate, connections: spec.load.connections, warmupMs: spec.load.warmupMs }, 'load started');
  await sleep(-journal.clock.nowMs(), run.signal);
}

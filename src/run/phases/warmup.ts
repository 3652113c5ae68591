import { sleep } from '../../util/wait.js';
import type { RunState } from '../run-state.js';
import { startReads } from '../reads-stream.js';
import { freezesContainers, networkFaultSteps } from '../../faults/registry.js';
import { holdFreezerWarm } from '../../faults/container/freezer-warm.js';
import { engineLocation } from '../../engine/docker-client.js';
import { helperNodes, prewarmHelpers } from '../../faults/network/prewarm.js';
import { faultContextOf } from '../fault-context.js';

/** Where the load enters: a front-door layer's URL (the VIP) when the drill has one, else the stack's apps. */
export function loadUrlsOf(run: RunState): string[] {
  const front = run.layers.find((l) => l.loadUrls && l.loadUrls.length > 0)?.loadUrls;
  return front ?? run.stack!.appUrls ?? [run.stack!.appUrl];
}

/** The load starts `warmup` before t=0, so `at: 5s` in the drill file is t=5000 on every timeline. */
export async function warmup(run: RunState): Promise<void> {
  const { journal, spec } = run;
  // Before the load: freezing the empty cgroup is what pays the kernel's one-off cost (freezer-warm.ts).
  if (freezesContainers(spec.steps) && engineLocation().local) {
    run.freezerWarm = true;
    const warm = await holdFreezerWarm();
    run.log.debug({ cgroup: warm }, warm ? 'freezer kept warm: an empty cgroup frozen until teardown' : 'freezer not kept warm (not root, or no cgroup v1 freezer)');
  }
  journal.clock.setOriginNow(spec.load.warmupMs);
  // Reads enter where the writes do (through a front door's VIP when there is one).
  const urls = loadUrlsOf(run);
  const load = run.deps.createLoad({
    urls,
    rate: spec.load.rate,
    connections: spec.load.connections,
    timeoutMs: spec.load.timeoutMs,
    clock: journal.clock,
    signal: run.signal,
    ...(spec.load.reads ? { keys: spec.load.reads.keys } : {}),
  });
  run.load = load;
  await load.start();
  startReads(run, urls);
  // The network faults' helper containers, started now rather than after a fault's `at`.
  const networkSteps = networkFaultSteps(spec.steps);
  if (networkSteps.length > 0) {
    const ctx = faultContextOf(run);
    run.networkHelpers = prewarmHelpers(ctx, helperNodes(ctx, networkSteps, [...run.stack!.containers, ...run.layers.flatMap((l) => l.containers)]));
  }
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

import type { RunningContainer } from '../engine/resources.js';
import type { FaultRecord } from '../measure/types.js';
import { containerFault, engineCall, targetOf } from './container/container-fault.js';
import { freezerFiles, monoNowMs, watchFreeze } from './container/freezer-watch.js';
import type { FaultContext, FaultPlugin } from './plugin.js';

/** Freeze the container (cgroup freezer): its sockets stay open and hang. Heal = unpause, always. */
export const pause: FaultPlugin<'pause'> = {
  kind: 'pause',
  network: false,
  inject: async (ctx, step) => {
    const c = await targetOf(ctx, step);
    const container = ctx.docker.getContainer(c.id);
    const watch = await freezerWatch(ctx, c);
    return containerFault(
      ctx,
      step,
      c,
      () => engineCall(`pause ${c.name}`, () => container.pause()),
      () => engineCall(`unpause ${c.name}`, () => container.unpause()),
      step.durationMs,
      ['pause'],
      c.name,
      watch ?? undefined,
    );
  },
};

/**
 * On a local engine whose container pids drill sees: the freezer read during the pause call
 * (container/freezer-watch.ts), as the fault's bound, or null (the engine's `pause` event bounds it then).
 */
async function freezerWatch(ctx: FaultContext, c: RunningContainer): Promise<((fromMs: number, toMs: number) => Promise<Partial<FaultRecord> | null>) | null> {
  if (!ctx.engineEvents || process.platform !== 'linux') return null;
  const info = await ctx.docker
    .getContainer(c.id)
    .inspect()
    .catch(() => null);
  if (!info?.State.Running || info.State.Paused) return null;
  const files = await freezerFiles(info.State.Pid, info.Id);
  if (!files) return null;
  const watch = await watchFreeze(files).catch(() => null);
  if (!watch) return null;
  return async (fromMs, toMs) => {
    const seen = await watch.result();
    if (!seen) return null;
    // Same monotonic clock as the run clock: place the reads on it by one reading of both.
    const offsetMs = ctx.clock.nowMs() - monoNowMs();
    const effectFromMs = Math.max(fromMs, seen.fromMonoMs + offsetMs);
    const effectByMs = Math.min(toMs, seen.byMonoMs + offsetMs);
    if (effectByMs < effectFromMs) return null;
    return { effectFromMs, effectByMs, effectEvidence: `${seen.how}: not yet freezing, then frozen` };
  };
}

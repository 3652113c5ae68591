import type { RunningContainer } from '../engine/resources.js';
import type { FaultRecord } from '../measure/types.js';
import { containerFault, engineCall, targetOf } from './container/container-fault.js';
import { armWatch, freezerFiles, type ArmedWatch, monoNowMs, thawWatchOf, watchFreeze, type FreezeSeen, type FreezerFiles } from './container/freezer-watch.js';
import type { FaultContext, FaultPlugin } from './plugin.js';
import type { HealSeen } from './time-box.js';
import { warmFreezerCgroup } from './container/freezer-warm.js';

/** Freeze the container (cgroup freezer): its sockets stay open and hang. Heal = unpause, always. */
export const pause: FaultPlugin<'pause'> = {
  kind: 'pause',
  network: false,
  inject: async (ctx, step) => {
    const c = await targetOf(ctx, step);
    const container = ctx.docker.getContainer(c.id);
    const files = await freezerFilesOf(ctx, c);
    const watch = files ? await watchFreeze(files).catch(() => null) : null;
    // The thaw's watch starts beside the pause call, asleep until the heal: a thread takes tens of ms to
    // start, which must hold back neither the pause nor the unpause.
    const thawWatch = files ? armWatch(thawWatchOf(files)).catch(() => null) : Promise.resolve(null);
    try {
      return await containerFault(
        ctx,
        step,
        c,
        () => engineCall(`pause ${c.name}`, () => container.pause()),
        () => unpause(ctx, c, thawWatch),
        step.durationMs,
        ['pause'],
        c.name,
        watch ? (fromMs, toMs) => freezeBound(ctx, watch, fromMs, toMs) : undefined,
      );
    } catch (error) {
      await (await thawWatch)?.cancel();
      throw error;
    }
  },
};

/** On a local engine whose container pids drill sees: its freezer files (container/freezer-watch.ts), or null. */
async function freezerFilesOf(ctx: FaultContext, c: RunningContainer): Promise<FreezerFiles | null> {
  if (!ctx.engineEvents || process.platform !== 'linux') return null;
  const info = await ctx.docker
    .getContainer(c.id)
    .inspect()
    .catch(() => null);
  if (!info?.State.Running || info.State.Paused) return null;
  return freezerFiles(info.State.Pid, info.Id);
}

/** The freezer read during the pause call, as the fault's bound, or null (the engine's `pause` event bounds it then). */
async function freezeBound(ctx: FaultContext, watch: { result(): Promise<FreezeSeen | null> }, fromMs: number, toMs: number): Promise<Partial<FaultRecord> | null> {
  const seen = onRunClock(ctx, await watch.result(), fromMs, toMs);
  return (
    seen && {
      effectFromMs: seen.fromMs,
      effectByMs: seen.byMs,
      effectEvidence: `${seen.how}: not yet freezing, then ${seen.state === 'FREEZING' ? 'freezing (every task told to stop)' : 'frozen'}${warmFreezerCgroup() ? '; freezer kept warm (an empty cgroup frozen)' : ''}`,
    }
  );
}

/**
 * The heal, with the thaw read off the freezer during the call when it can be: the target resumes somewhere
 * inside the unpause call (20–45 ms here), and the queue it then works off is timed from that instant.
 */
async function unpause(ctx: FaultContext, c: RunningContainer, arming: Promise<ArmedWatch | null>): Promise<HealSeen | undefined> {
  const armed = await arming;
  const watch = armed ? await armed.start().catch(() => null) : null;
  const fromMs = ctx.clock.nowMs();
  await engineCall(`unpause ${c.name}`, () => ctx.docker.getContainer(c.id).unpause());
  const toMs = ctx.clock.nowMs();
  const seen = watch ? onRunClock(ctx, await watch.result(), fromMs, toMs) : null;
  return seen ? { fromMs: seen.fromMs, byMs: seen.byMs } : undefined;
}

/** A change the worker saw, on the run clock and inside the call (same monotonic clock: one reading of both places it). */
function onRunClock(ctx: FaultContext, seen: FreezeSeen | null, callFromMs: number, callToMs: number): { fromMs: number; byMs: number; state: string; how: string } | null {
  if (!seen) return null;
  const offsetMs = ctx.clock.nowMs() - monoNowMs();
  const fromMs = Math.max(callFromMs, seen.fromMonoMs + offsetMs);
  const byMs = Math.min(callToMs, seen.byMonoMs + offsetMs);
  return byMs < fromMs ? null : { fromMs, byMs, state: seen.seenState, how: seen.how };
}

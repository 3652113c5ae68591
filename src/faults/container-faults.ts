import type { FaultStepSpec } from '../spec/schema.js';
import type { RunningContainer } from '../engine/resources.js';
import { isGone } from '../engine/docker-client.js';
import { InfraError, errorMessage } from '../util/errors.js';
import type { FaultContext, FaultHandler, InjectedFault } from './plugin.js';
import { timeBoxed } from './time-box.js';

// The faults that act on a whole container through the engine. Each records when the injecting call
// started and returned (t_fault and its uncertainty); time-box.ts heals it after `duration` when one is
// given, or early (end of run, abort, Ctrl-C), once.

type Step<K extends FaultStepSpec['fault']> = Extract<FaultStepSpec, { fault: K }>;

async function engineCall(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    // "Already stopped", "already gone", "not paused": the state we wanted is there.
    if (isGone(error) || /is not (running|paused)|already (paused|in progress)/i.test(errorMessage(error))) return;
    throw new InfraError(`${what}: ${errorMessage(error)}`);
  }
}

/** Inject with `apply`; `undo` heals it (after `healAfterMs`, or at the end of the run). */
async function containerFault(
  ctx: FaultContext,
  step: FaultStepSpec,
  container: RunningContainer,
  apply: () => Promise<void>,
  undo: (() => Promise<void>) | null,
  healAfterMs: number | undefined,
): Promise<InjectedFault> {
  const injectedAtMs = ctx.clock.nowMs();
  await apply();
  const injectReturnedAtMs = ctx.clock.nowMs();
  return timeBoxed(ctx, { kind: step.fault, target: step.target, container: container.name, durationMs: healAfterMs }, { injectedAtMs, injectReturnedAtMs, undo });
}

/** Record the engine's own exit time of a container as evidence on the timeline. */
async function noteExit(ctx: FaultContext, container: RunningContainer): Promise<void> {
  const finishedAt = await ctx.docker.getContainer(container.id).inspect().then((i) => i.State.FinishedAt, () => null);
  if (finishedAt && !finishedAt.startsWith('0001')) {
    ctx.note({ atMs: ctx.clock.fromEpochMs(Date.parse(finishedAt)), source: 'docker', message: `${container.name} exited (engine's FinishedAt ${finishedAt})`, marker: 'container-exit' });
  }
}

const start = (ctx: FaultContext, c: RunningContainer) => () => engineCall(`start ${c.name}`, () => ctx.docker.getContainer(c.id).start());

/** Signal the container's main process (SIGKILL by default): the node dies as in a crash. Heal = start again. */
export const injectKill: FaultHandler<'kill'> = async (ctx, step: Step<'kill'>, c) => {
  const fault = await containerFault(ctx, step, c, () => engineCall(`kill ${c.name}`, () => ctx.docker.getContainer(c.id).kill({ signal: step.signal })), step.durationMs !== undefined ? start(ctx, c) : null, step.durationMs);
  await noteExit(ctx, c);
  return fault;
};

/** Graceful stop: SIGTERM, then SIGKILL after the timeout. Heal = start again. */
export const injectStop: FaultHandler<'stop'> = async (ctx, step: Step<'stop'>, c) => {
  const fault = await containerFault(ctx, step, c, () => engineCall(`stop ${c.name}`, () => ctx.docker.getContainer(c.id).stop({ t: Math.ceil(step.stopTimeoutMs / 1000) })), step.durationMs !== undefined ? start(ctx, c) : null, step.durationMs);
  await noteExit(ctx, c);
  return fault;
};

/** Freeze the container (cgroup freezer): its sockets stay open and hang. Heal = unpause, always. */
export const injectPause: FaultHandler<'pause'> = (ctx, step: Step<'pause'>, c) =>
  containerFault(ctx, step, c, () => engineCall(`pause ${c.name}`, () => ctx.docker.getContainer(c.id).pause()), () => engineCall(`unpause ${c.name}`, () => ctx.docker.getContainer(c.id).unpause()), step.durationMs);

/** Stop gracefully, stay down for `duration` (default 0), start again. */
export const injectRestart: FaultHandler<'restart'> = async (ctx, step: Step<'restart'>, c) => {
  const fault = await containerFault(ctx, step, c, () => engineCall(`stop ${c.name}`, () => ctx.docker.getContainer(c.id).stop({ t: Math.ceil(step.stopTimeoutMs / 1000) })), start(ctx, c), step.durationMs ?? 0);
  await noteExit(ctx, c);
  return fault;
};

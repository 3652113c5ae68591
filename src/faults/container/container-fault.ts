import type Dockerode from 'dockerode';
import type { TargetSpec } from '../../spec/schema.js';
import type { RunningContainer } from '../../engine/resources.js';
import { isGone } from '../../engine/docker-client.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { FaultContext, FaultKind, InjectedFault } from '../plugin.js';
import { resolveTarget } from '../resolve-target.js';
import { timeBox } from '../time-box.js';

// What the faults that act on a whole container through the engine share. Each records when the
// injecting call started and returned (t_fault and its uncertainty); time-box.ts heals it after
// `duration` when one is given, or early (end of run, abort, Ctrl-C), once.

/** An engine call where "already stopped", "already gone", "not paused" means the wanted state is there. */
export async function engineCall(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    if (isGone(error) || /is not (running|paused)|already (paused|in progress)/i.test(errorMessage(error))) return;
    throw new InfraError(`${what}: ${errorMessage(error)}`);
  }
}

/** The target container now (a role is asked of the system at this moment). */
export const targetOf = (ctx: FaultContext, step: { target: TargetSpec }): Promise<RunningContainer> => resolveTarget(ctx.stack, step.target);

/** Inject with `apply`; `undo` heals it (after `healAfterMs`, or at the end of the run). */
export async function containerFault(
  ctx: FaultContext,
  step: { fault: FaultKind; target: string },
  container: RunningContainer,
  apply: () => Promise<void>,
  undo: (() => Promise<void>) | null,
  healAfterMs: number | undefined,
): Promise<InjectedFault> {
  const injectedAtMs = ctx.clock.nowMs();
  await apply();
  const injectReturnedAtMs = ctx.clock.nowMs();
  return timeBox(ctx, { kind: step.fault, target: step.target, container: container.name, durationMs: healAfterMs }, { injectedAtMs, injectReturnedAtMs, undo });
}

/** Record the engine's own exit time of a container as evidence on the timeline. */
export async function noteExit(ctx: FaultContext, container: RunningContainer): Promise<void> {
  const finishedAt = await ctx.docker
    .getContainer(container.id)
    .inspect()
    .then(
      (i) => i.State.FinishedAt,
      () => null,
    );
  if (finishedAt && !finishedAt.startsWith('0001')) {
    ctx.note({ atMs: ctx.clock.fromEpochMs(Date.parse(finishedAt)), source: 'docker', message: `${container.name} exited (engine's FinishedAt ${finishedAt})`, marker: 'container-exit' });
  }
}

/** Start the container again (the heal of kill, stop and restart). */
export const startAgain = (ctx: FaultContext, c: RunningContainer) => () => engineCall(`start ${c.name}`, () => ctx.docker.getContainer(c.id).start());

/**
 * A fault that takes a container down through the engine (kill, stop, restart): the engine call, a start
 * again after `restartAfterMs` (none when undefined: the dead stay dead), and the engine's own exit time.
 */
export async function takeDown(
  ctx: FaultContext,
  step: { fault: FaultKind; target: TargetSpec },
  verb: string,
  call: (container: Dockerode.Container) => Promise<unknown>,
  restartAfterMs: number | undefined,
): Promise<InjectedFault> {
  const c = await targetOf(ctx, step);
  const container = ctx.docker.getContainer(c.id);
  const fault = await containerFault(ctx, step, c, () => engineCall(`${verb} ${c.name}`, () => call(container)), restartAfterMs !== undefined ? startAgain(ctx, c) : null, restartAfterMs);
  await noteExit(ctx, c);
  return fault;
}

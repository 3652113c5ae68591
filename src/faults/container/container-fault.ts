import type Dockerode from 'dockerode';
import type { TargetSpec } from '../../spec/schema.js';
import type { RunningContainer } from '../../engine/resources.js';
import { isGone } from '../../engine/docker-client.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import type { FaultRecord } from '../../measure/types.js';
import type { FaultContext, FaultKind, InjectedFault } from '../plugin.js';
import { resolveTarget } from '../resolve-target.js';
import { timeBox } from '../time-box.js';
import { engineEventLagMs } from './engine-event-lag.js';

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
export const targetOf = (ctx: FaultContext, step: { target: TargetSpec }): Promise<RunningContainer> => resolveTarget(ctx.stack, step.target, Math.random, ctx.layers);

/** How long after the call returns the engine's event may still be on its way (it is logged before the call returns). */
const ENGINE_EVENT_WAIT_MS = 500;

/**
 * Inject with `apply`; `undo` heals it (after `healAfterMs`, or at the end of the run). `engineActions`:
 * the engine events that mark the fault (`kill` for kill, stop and restart: the signal sent; `pause`):
 * the first one after the call started bounds the fault instant far tighter than the call's return.
 */
export async function containerFault(
  ctx: FaultContext,
  step: { fault: FaultKind; target: string },
  container: RunningContainer,
  apply: () => Promise<void>,
  undo: (() => Promise<unknown>) | null,
  healAfterMs: number | undefined,
  engineActions: readonly string[],
  /** The containers the fault acts on, in words, when more than `container` (whose event times it). */
  containerNames: string = container.name,
  /** A tighter bound of the instant than the engine's event, read by drill itself during the call (a pause's freezer), or null. */
  ownBound?: (fromMs: number, toMs: number) => Promise<Partial<FaultRecord> | null>,
): Promise<InjectedFault> {
  const injectedAtMs = ctx.clock.nowMs();
  await apply();
  const injectReturnedAtMs = ctx.clock.nowMs();
  const own = ownBound ? await ownBound(injectedAtMs, injectReturnedAtMs) : null;
  const details = withinBoth(await engineEventDetails(ctx, container, engineActions, injectedAtMs, injectReturnedAtMs), own, injectedAtMs, injectReturnedAtMs);
  return timeBox(ctx, { kind: step.fault, target: step.target, container: containerNames, durationMs: healAfterMs }, { injectedAtMs, injectReturnedAtMs, undo, details });
}

/** Both bounds hold: the instant lies in their overlap (drill's own reads may end after the engine's event). */
function withinBoth(engine: Partial<FaultRecord>, own: Partial<FaultRecord> | null, callFromMs: number, callToMs: number): Partial<FaultRecord> {
  if (!own || own.effectFromMs === undefined || own.effectByMs === undefined) return engine;
  const fromMs = Math.max(own.effectFromMs, engine.effectFromMs ?? callFromMs);
  const byMs = Math.min(own.effectByMs, engine.effectByMs ?? callToMs);
  if (byMs < fromMs) return engine; // they disagree: keep the engine's word
  const evidence = [fromMs === own.effectFromMs ? own.effectEvidence : engine.effectEvidence, byMs === own.effectByMs ? own.effectEvidence : engine.effectEvidence];
  return { ...engine, effectFromMs: fromMs, effectByMs: byMs, effectEvidence: evidence[0] === evidence[1] ? evidence[0] : `from ${evidence[0] ?? 'the call'}, by ${evidence[1] ?? 'the call'}` };
}

/** The engine's own event of the fault, on the run clock, when the engine logged one inside the call (local engines: same clock). */
async function engineEventDetails(ctx: FaultContext, container: RunningContainer, actions: readonly string[], fromMs: number, toMs: number): Promise<Partial<FaultRecord>> {
  if (!ctx.engineEvents || actions.length === 0) return {};
  const event = await ctx.engineEvents.waitFor(container.id, actions, ctx.clock.toEpochMs(fromMs) - 1, ENGINE_EVENT_WAIT_MS);
  if (!event) return {};
  const atMs = ctx.clock.fromEpochMs(event.epochMs);
  // An event outside the call is not this fault's (or the clocks disagree): keep the call's bounds.
  if (atMs > toMs + 1) return {};
  const signal = event.attributes.signal ? ` (signal ${event.attributes.signal})` : '';
  ctx.note({ atMs, source: 'docker', message: `${container.name}: engine event ${event.action}${signal}` });
  const byMs = Math.max(fromMs, atMs);
  const lagMs = engineEventLagMs(event.action);
  if (lagMs === null) return { effectByMs: byMs, effectEvidence: `engine event ${event.action}${signal}` };
  // The engine acted at most lagMs before it stamped the event, and not before the call started.
  return { effectFromMs: Math.max(fromMs, byMs - lagMs), effectByMs: byMs, effectEvidence: `engine event ${event.action}${signal}, acted at most ${lagMs} ms before it` };
}

/** Record the engine's own exit time of a container as evidence on the timeline; its run-clock time, when the engine gave one. */
export async function noteExit(ctx: FaultContext, container: RunningContainer): Promise<number | null> {
  const finishedAt = await ctx.docker
    .getContainer(container.id)
    .inspect()
    .then(
      (i) => i.State.FinishedAt,
      () => null,
    );
  if (!finishedAt || finishedAt.startsWith('0001')) return null;
  const atMs = ctx.clock.fromEpochMs(Date.parse(finishedAt));
  ctx.note({ atMs, source: 'docker', message: `${container.name} exited (engine's FinishedAt ${finishedAt})`, marker: 'container-exit' });
  return atMs;
}

/** The engine's exit time on the fault's record, when it is this fault's (not an exit from before it). */
export function withGoneBy(fault: InjectedFault, exitedAtMs: number | null): InjectedFault {
  if (exitedAtMs !== null && exitedAtMs >= fault.record.injectedAtMs) fault.record.goneByMs = exitedAtMs;
  return fault;
}

/** Start the container again (the heal of kill, stop and restart). */
export const startAgain = (ctx: FaultContext, c: RunningContainer) => () => engineCall(`start ${c.name}`, () => ctx.docker.getContainer(c.id).start());

/**
 * A fault that takes a container down through the engine (kill, stop, restart): the engine call, a start
 * again after `restartAfterMs` (none when undefined: the dead stay dead), and the engine's own exit time.
 */
export async function takeDownTarget(
  ctx: FaultContext,
  step: { fault: FaultKind; target: TargetSpec },
  c: RunningContainer,
  verb: string,
  call: (container: Dockerode.Container) => Promise<unknown>,
  restartAfterMs: number | undefined,
): Promise<InjectedFault> {
  const container = ctx.docker.getContainer(c.id);
  // kill, stop and restart all begin with a signal: the engine logs `kill` as it sends it.
  const fault = await containerFault(ctx, step, c, () => engineCall(`${verb} ${c.name}`, () => call(container)), restartAfterMs !== undefined ? startAgain(ctx, c) : null, restartAfterMs, ['kill']);
  return withGoneBy(fault, await noteExit(ctx, c));
}

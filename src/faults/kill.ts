import type { RunningContainer } from '../engine/resources.js';
import { InfraError } from '../util/errors.js';
import { noteExit, startAgain, takeDownTarget, targetOf } from './container/container-fault.js';
import { hostSignaller, type HostSignal } from './container/host-signal.js';
import type { FaultContext, FaultPlugin, FaultStep, InjectedFault } from './plugin.js';
import { timeBox } from './time-box.js';

/**
 * Signal the container's main process (SIGKILL by default): the node dies as in a crash. Heal = start again
 * (only with `duration`). Sent by drill on the host where it can (a local engine, root: the instant known to
 * microseconds, container/host-signal.ts), else through the engine (bounded by its `kill` event).
 */
export const kill: FaultPlugin<'kill'> = {
  kind: 'kill',
  network: false,
  async inject(ctx, step) {
    const c = await targetOf(ctx, step);
    const direct = await hostSignaller(ctx, c);
    const onHost = direct ? await killOnHost(ctx, step, c, direct) : null;
    return onHost ?? takeDownTarget(ctx, step, c, 'kill', (x) => x.kill({ signal: step.signal }), step.durationMs);
  },
};

/** How long a SIGKILLed container may take to be seen exited (the engine's own kill call waits likewise). */
const EXIT_WAIT_MS = 10_000;

/** The kill sent on the host between two clock readings; null when the process was gone already (the engine's call then says what the container is). */
async function killOnHost(ctx: FaultContext, step: FaultStep<'kill'>, c: RunningContainer, direct: { send: HostSignal; pid: number }): Promise<InjectedFault | null> {
  const injectedAtMs = ctx.clock.nowMs();
  try {
    direct.send(step.signal);
  } catch {
    return null;
  }
  const injectReturnedAtMs = ctx.clock.nowMs();
  ctx.note({ atMs: injectedAtMs, source: 'runner', message: `${c.name}: ${step.signal} sent to its main process (host pid ${direct.pid}) by drill` });
  if (step.signal === 'SIGKILL') {
    // As `docker kill` does for SIGKILL, return once the engine has seen the container exit: later steps
    // (a start, a promotion, a detector) find it stopped.
    const died = await ctx.engineEvents!.waitFor(c.id, ['die'], ctx.clock.toEpochMs(injectedAtMs) - 1, EXIT_WAIT_MS);
    if (!died && (await ctx.docker.getContainer(c.id).inspect()).State.Running) throw new InfraError(`kill ${c.name}: still running ${EXIT_WAIT_MS} ms after SIGKILL`);
  }
  const fault = timeBox(
    ctx,
    { kind: step.fault, target: step.target, container: c.name, durationMs: step.durationMs },
    {
      injectedAtMs,
      injectReturnedAtMs,
      undo: step.durationMs !== undefined ? startAgain(ctx, c) : null,
      details: {
        effectFromMs: injectedAtMs,
        effectByMs: injectReturnedAtMs,
        effectEvidence: `${step.signal} sent by drill to the container's main process (host pid ${direct.pid}) between two clock readings`,
      },
    },
  );
  await noteExit(ctx, c);
  return fault;
}

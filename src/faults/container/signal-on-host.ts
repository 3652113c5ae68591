import type { RunningContainer } from '../../engine/resources.js';
import type { TargetSpec } from '../../spec/schema.js';
import { InfraError } from '../../util/errors.js';
import type { FaultContext, FaultKind, InjectedFault } from '../plugin.js';
import { timeBox } from '../time-box.js';
import { noteExit, startAgain, withGoneBy } from './container-fault.js';
import type { DirectSignaller } from './host-signal.js';

// kill, stop and restart sent by drill on the host (host-signal.ts says when it may), the instant read
// from the run clock right around the signal: what `docker kill` and `docker stop` do, without the
// engine's call around it (its `kill` event trails the signal by up to 55 ms: engine-event-lag.ts).

/** After the signal: wait this long for the engine to see the container exit; then fail, or SIGKILL it (a stop's grace ran out). */
export interface ExitWait {
  waitMs: number;
  then: 'fail' | 'kill';
}

/** How long a SIGKILLed container may take to be seen exited (the engine's own kill call waits likewise). */
export const KILLED_EXIT_WAIT_MS = 10_000;

/** The fault, or null when the process was gone already (the engine's call then says what the container is). */
export async function signalOnHost(
  ctx: FaultContext,
  step: { fault: FaultKind; target: TargetSpec },
  c: RunningContainer,
  direct: DirectSignaller,
  signal: NodeJS.Signals,
  exit: ExitWait | null,
  restartAfterMs: number | undefined,
): Promise<InjectedFault | null> {
  const injectedAtMs = ctx.clock.nowMs();
  try {
    direct.send(signal);
  } catch {
    return null;
  }
  const injectReturnedAtMs = ctx.clock.nowMs();
  ctx.note({ atMs: injectedAtMs, source: 'runner', message: `${c.name}: ${signal} sent to its main process (host pid ${direct.pid}) by drill` });
  // As the engine's own kill and stop calls do, return once the engine has seen the container exit: later
  // steps (a start, a promotion, a detector) find it stopped.
  if (exit) await awaitExit(ctx, `${step.fault} ${c.name}`, c, direct, { signal, sentAtMs: injectedAtMs }, exit);
  const fault = timeBox(
    ctx,
    { kind: step.fault, target: step.target, container: c.name, durationMs: restartAfterMs },
    {
      injectedAtMs,
      injectReturnedAtMs,
      undo: restartAfterMs !== undefined ? startAgain(ctx, c) : null,
      details: {
        effectFromMs: injectedAtMs,
        effectByMs: injectReturnedAtMs,
        effectEvidence: `${signal} sent by drill to the container's main process (host pid ${direct.pid}) between two clock readings`,
      },
    },
  );
  return withGoneBy(fault, await noteExit(ctx, c));
}

async function awaitExit(ctx: FaultContext, what: string, c: RunningContainer, direct: DirectSignaller, sent: { signal: NodeJS.Signals; sentAtMs: number }, exit: ExitWait): Promise<void> {
  const died = () => ctx.engineEvents!.waitFor(c.id, ['die'], ctx.clock.toEpochMs(sent.sentAtMs) - 1, exit.waitMs);
  const running = async () => (await ctx.docker.getContainer(c.id).inspect()).State.Running;
  if ((await died()) || !(await running())) return;
  if (exit.then === 'fail') throw new InfraError(`${what}: still running ${exit.waitMs} ms after ${sent.signal}`);
  // The grace period ran out: SIGKILL, as `docker stop` does.
  const killedAtMs = ctx.clock.nowMs();
  try {
    direct.send('SIGKILL');
  } catch {
    return; // gone in the meantime
  }
  ctx.note({ atMs: killedAtMs, source: 'runner', message: `${c.name}: still running after ${exit.waitMs} ms: SIGKILL sent by drill` });
  const killed = await ctx.engineEvents!.waitFor(c.id, ['die'], ctx.clock.toEpochMs(killedAtMs) - 1, KILLED_EXIT_WAIT_MS);
  if (!killed && (await running())) throw new InfraError(`${what}: still running ${KILLED_EXIT_WAIT_MS} ms after SIGKILL`);
}

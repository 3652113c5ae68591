import type { FaultStepSpec } from '../spec/schema.js';
import type { RunningContainer } from '../stack/resources.js';
import { isGone } from '../stack/docker-client.js';
import { InfraError, errorMessage } from '../util/errors.js';
import type { FaultContext, InjectedFault } from './fault.js';

/** Send a signal to the container's main process (SIGKILL by default): the node dies as in a crash. */
export async function injectKill(ctx: FaultContext, step: Extract<FaultStepSpec, { fault: 'kill' }>, container: RunningContainer): Promise<InjectedFault> {
  const injectedAtMs = ctx.clock.nowMs();
  try {
    await ctx.docker.getContainer(container.id).kill({ signal: step.signal });
  } catch (error) {
    if (!isGone(error)) throw new InfraError(`kill ${container.name}: ${errorMessage(error)}`);
  }
  const injectReturnedAtMs = ctx.clock.nowMs();
  // The engine's own record of the death, as evidence on the timeline (wall clock → run clock).
  const finishedAt = await ctx.docker.getContainer(container.id).inspect().then((i) => i.State.FinishedAt, () => null);
  if (finishedAt && !finishedAt.startsWith('0001')) {
    ctx.note({ atMs: ctx.clock.fromEpochMs(Date.parse(finishedAt)), source: 'docker', message: `${container.name} exited (engine's FinishedAt ${finishedAt})`, marker: 'container-exit' });
  }
  ctx.log.info({ container: container.name, signal: step.signal, callMs: +(injectReturnedAtMs - injectedAtMs).toFixed(1) }, 'fault injected: kill');
  return {
    record: { kind: 'kill', target: step.target, container: container.name, injectedAtMs, injectReturnedAtMs },
    heal: async () => {},
  };
}

import { containerFault, engineCall, noteExit, startAgain, targetOf } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';

/** Signal the container's main process (SIGKILL by default): the node dies as in a crash. Heal = start again (only with `duration`). */
export const kill: FaultPlugin<'kill'> = {
  kind: 'kill',
  network: false,
  inject: async (ctx, step) => {
    const c = await targetOf(ctx, step);
    const fault = await containerFault(
      ctx,
      step,
      c,
      () => engineCall(`kill ${c.name}`, () => ctx.docker.getContainer(c.id).kill({ signal: step.signal })),
      step.durationMs !== undefined ? startAgain(ctx, c) : null,
      step.durationMs,
    );
    await noteExit(ctx, c);
    return fault;
  },
};

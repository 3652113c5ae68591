import { containerFault, engineCall, noteExit, startAgain, targetOf } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';

/** Graceful stop: SIGTERM, then SIGKILL after the timeout. Heal = start again (only with `duration`). */
export const stop: FaultPlugin<'stop'> = {
  kind: 'stop',
  network: false,
  inject: async (ctx, step) => {
    const c = await targetOf(ctx, step);
    const fault = await containerFault(
      ctx,
      step,
      c,
      () => engineCall(`stop ${c.name}`, () => ctx.docker.getContainer(c.id).stop({ t: Math.ceil(step.stopTimeoutMs / 1000) })),
      step.durationMs !== undefined ? startAgain(ctx, c) : null,
      step.durationMs,
    );
    await noteExit(ctx, c);
    return fault;
  },
};

import { containerFault, engineCall, noteExit, startAgain, targetOf } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';

/** Stop gracefully, stay down for `duration` (default 0), start again. */
export const restart: FaultPlugin<'restart'> = {
  kind: 'restart',
  network: false,
  inject: async (ctx, step) => {
    const c = await targetOf(ctx, step);
    const fault = await containerFault(
      ctx,
      step,
      c,
      () => engineCall(`stop ${c.name}`, () => ctx.docker.getContainer(c.id).stop({ t: Math.ceil(step.stopTimeoutMs / 1000) })),
      startAgain(ctx, c),
      step.durationMs ?? 0,
    );
    await noteExit(ctx, c);
    return fault;
  },
};

import { containerFault, engineCall, targetOf } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';

/** Freeze the container (cgroup freezer): its sockets stay open and hang. Heal = unpause, always. */
export const pause: FaultPlugin<'pause'> = {
  kind: 'pause',
  network: false,
  inject: async (ctx, step) => {
    const c = await targetOf(ctx, step);
    const container = ctx.docker.getContainer(c.id);
    return containerFault(
      ctx,
      step,
      c,
      () => engineCall(`pause ${c.name}`, () => container.pause()),
      () => engineCall(`unpause ${c.name}`, () => container.unpause()),
      step.durationMs,
      ['pause'],
    );
  },
};

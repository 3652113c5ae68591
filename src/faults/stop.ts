import { takeDown } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';

/** Graceful stop: SIGTERM, then SIGKILL after the timeout. Heal = start again (only with `duration`). */
export const stop: FaultPlugin<'stop'> = {
  kind: 'stop',
  network: false,
  inject: (ctx, step) => takeDown(ctx, step, 'stop', (c) => c.stop({ t: Math.ceil(step.stopTimeoutMs / 1000) }), step.durationMs),
};

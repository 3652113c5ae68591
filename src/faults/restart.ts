import { takeDown } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';

/** Stop gracefully, stay down for `duration` (default 0), start again. */
export const restart: FaultPlugin<'restart'> = {
  kind: 'restart',
  network: false,
  inject: (ctx, step) => takeDown(ctx, step, 'stop', (c) => c.stop({ t: Math.ceil(step.stopTimeoutMs / 1000) }), step.durationMs ?? 0),
};

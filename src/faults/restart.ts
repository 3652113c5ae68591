import type { FaultPlugin } from './plugin.js';
import { gracefulStop } from './stop.js';

/** Stop gracefully, stay down for `duration` (default 0), start again. */
export const restart: FaultPlugin<'restart'> = {
  kind: 'restart',
  network: false,
  inject: (ctx, step) => gracefulStop(ctx, step, step.durationMs ?? 0),
};

import { takeDown } from './container/container-fault.js';
import type { FaultPlugin } from './plugin.js';

/** Signal the container's main process (SIGKILL by default): the node dies as in a crash. Heal = start again (only with `duration`). */
export const kill: FaultPlugin<'kill'> = {
  kind: 'kill',
  network: false,
  inject: (ctx, step) => takeDown(ctx, step, 'kill', (c) => c.kill({ signal: step.signal }), step.durationMs),
};

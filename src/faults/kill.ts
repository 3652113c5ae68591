import { takeDownTarget, targetOf } from './container/container-fault.js';
import { hostSignaller } from './container/host-signal.js';
import { KILLED_EXIT_WAIT_MS, signalOnHost } from './container/signal-on-host.js';
import type { FaultPlugin } from './plugin.js';

/**
 * Signal the container's main process (SIGKILL by default): the node dies as in a crash. Heal = start again
 * (only with `duration`). Sent by drill on the host where it can (a local engine, root: the instant known to
 * microseconds, container/host-signal.ts), else through the engine (bounded by its `kill` event).
 */
export const kill: FaultPlugin<'kill'> = {
  kind: 'kill',
  network: false,
  async inject(ctx, step) {
    const c = await targetOf(ctx, step);
    const direct = await hostSignaller(ctx, c);
    // As `docker kill` does for SIGKILL, the call returns once the container has exited.
    const exit = step.signal === 'SIGKILL' ? { waitMs: KILLED_EXIT_WAIT_MS, then: 'fail' as const } : null;
    const onHost = direct ? await signalOnHost(ctx, step, c, direct, step.signal, exit, step.durationMs) : null;
    return onHost ?? takeDownTarget(ctx, step, c, 'kill', (x) => x.kill({ signal: step.signal }), step.durationMs);
  },
};

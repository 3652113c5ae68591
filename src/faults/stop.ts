import { takeDownTarget, targetOf } from './container/container-fault.js';
import { hostSignaller } from './container/host-signal.js';
import { signalOnHost } from './container/signal-on-host.js';
import type { FaultContext, FaultPlugin, FaultStep, InjectedFault } from './plugin.js';

/** Graceful stop: SIGTERM, then SIGKILL after the timeout. Heal = start again (only with `duration`). */
export const stop: FaultPlugin<'stop'> = {
  kind: 'stop',
  network: false,
  inject: (ctx, step) => gracefulStop(ctx, step, step.durationMs),
};

/**
 * The container's stop signal (SIGTERM unless its image names another), SIGKILL if it is still running
 * after the grace period: what `docker stop` does, sent by drill on the host where it can, like a kill
 * (kill.ts), so the instant is known to microseconds, not to the engine's `kill` event (up to 55 ms after).
 */
export async function gracefulStop(ctx: FaultContext, step: FaultStep<'stop' | 'restart'>, restartAfterMs: number | undefined): Promise<InjectedFault> {
  const c = await targetOf(ctx, step);
  const direct = await hostSignaller(ctx, c);
  const onHost = direct?.stopSignal ? await signalOnHost(ctx, step, c, direct, direct.stopSignal, { waitMs: step.stopTimeoutMs, then: 'kill' }, restartAfterMs) : null;
  return onHost ?? takeDownTarget(ctx, step, c, 'stop', (x) => x.stop({ t: Math.ceil(step.stopTimeoutMs / 1000) }), restartAfterMs);
}

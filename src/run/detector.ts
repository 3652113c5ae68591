import type { DetectorConfig } from '../stacks/plugin.js';
import type { TimelineEvent } from '../measure/types.js';
import type { Runbook } from '../stacks/stack.js';
import type { RunClock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import { errorMessage } from '../util/errors.js';
import { sleep } from '../util/wait.js';

/**
 * drill's own failure detector, for `failover.mode: auto`: check the primary every checkInterval; after
 * failureThreshold consecutive failed checks, declare it dead and run the same runbook a person would
 * (promote the most advanced replica, then repoint). The RTO then includes detection, as it would with
 * an orchestrator. One failover per run: after it, the detector only watches.
 */
export function startDetector(opts: { runbook: Runbook; config: DetectorConfig; clock: RunClock; log: Logger; signal: AbortSignal; note: (event: TimelineEvent) => void }): { stop(): Promise<void> } {
  const { runbook, config: failover, clock, note } = opts;
  const controller = new AbortController();
  const signal = AbortSignal.any([opts.signal, controller.signal]);
  const loop = (async () => {
    let failures = 0;
    let failedOver = false;
    while (!signal.aborted) {
      const checkStart = clock.nowMs();
      const ok = await runbook.checkPrimary(failover.checkTimeoutMs).catch(() => false);
      if (ok) failures = 0;
      else if (!failedOver && ++failures >= failover.failureThreshold) {
        failedOver = true;
        note({
          atMs: clock.nowMs(),
          source: 'detector',
          message: `primary declared dead after ${failures} failed checks (every ${failover.checkIntervalMs} ms, timeout ${failover.checkTimeoutMs} ms)`,
          marker: 'detection',
        });
        try {
          const promoteAtMs = clock.nowMs();
          const promoted = await runbook.promote({ candidate: 'most-advanced', catchUp: failover.catchUp, timeoutMs: 30_000, signal });
          note({ atMs: promoteAtMs, source: 'runbook', message: `auto: promoted ${promoted.node} in ${(clock.nowMs() - promoteAtMs).toFixed(0)} ms: ${promoted.detail}`, marker: 'runbook-promote' });
          const repointAtMs = clock.nowMs();
          const repointed = await runbook.repoint({ timeoutMs: 30_000, signal });
          note({ atMs: repointAtMs, source: 'runbook', message: `auto: repointed in ${(clock.nowMs() - repointAtMs).toFixed(0)} ms: ${repointed.detail}`, marker: 'runbook-repoint' });
        } catch (error) {
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the signal may have been aborted during the await
          if (signal.aborted) break;
          note({ atMs: clock.nowMs(), source: 'detector', message: `automatic failover failed: ${errorMessage(error)}`, marker: 'runbook-error' });
          opts.log.error({ err: errorMessage(error) }, 'automatic failover failed');
        }
      }
      await sleep(failover.checkIntervalMs - (clock.nowMs() - checkStart), signal).catch(() => {});
    }
  })();
  return {
    stop: async () => {
      controller.abort();
      await loop;
    },
  };
}

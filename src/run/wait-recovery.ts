import type { TrackedLoad } from '../load/tracked-load.js';
import type { WriteRecord } from '../load/history.js';
import { byInvoke, findRecovery, type Recovery } from '../measure/index.js';
import type { RunClock } from '../util/clock.js';
import { sleep } from '../util/wait.js';

const POLL_MS = 200;

/**
 * The recovery rule of the final measurement applied to a live (partial) history: precision terms are
 * left out, only "recovered yet, and when" matters here. Shared by `waitFor: recovered` and the
 * recovery-deadline stop condition.
 */
export function liveRecovery(history: readonly WriteRecord[], tFaultMs: number, stableMs: number): Recovery {
  return findRecovery({ sorted: byInvoke(history), tFaultMs, injectMs: 0, stableMs, timerResolutionMs: 0, baselineLatencyMs: 0 });
}

/**
 * The `waitFor: recovered` step: wait until the writes seen so far show a stable recovery after the fault
 * (the same rule as the final measurement, applied to the live history), or until timeoutMs.
 * Returns the recovery time, or null on timeout. The final numbers come from the full history later.
 */
export async function waitForRecovery(opts: { load: TrackedLoad; clock: RunClock; faultAtMs: number; stableMs: number; timeoutMs: number; signal: AbortSignal }): Promise<number | null> {
  const deadlineMs = opts.clock.nowMs() + opts.timeoutMs;
  while (opts.clock.nowMs() < deadlineMs) {
    await sleep(POLL_MS, opts.signal);
    const recovery = liveRecovery(opts.load.history(), opts.faultAtMs, opts.stableMs);
    // A fault with no failure at all shows as RTO 0 only once a stable window of ok writes followed it.
    if (recovery.recoveredAtMs !== null) return recovery.recoveredAtMs;
    if (recovery.rtoMs === 0 && opts.clock.nowMs() > opts.faultAtMs + opts.stableMs * 2) return opts.faultAtMs;
  }
  return null;
}

import type { AbortIfSpec } from '../spec/schema.js';
import type { WriteRecord } from '../load/history.js';
import type { TrackedLoad } from '../load/tracked-load.js';
import { liveRecovery } from './wait-recovery.js';
import type { RunClock } from '../util/clock.js';
import { AbortedError } from '../util/errors.js';

const CHECK_EVERY_MS = 250;

/** Which stop condition holds now, or null. Pure, for tests: `history` is what the load recorded so far. */
export function stopConditionHolds(spec: AbortIfSpec, history: readonly WriteRecord[], nowMs: number, loadStartMs: number, firstFaultAtMs: number | null, stableMs: number): string | null {
  if (spec.errorRate && nowMs - loadStartMs >= spec.errorRate.windowMs) {
    const fromMs = nowMs - spec.errorRate.windowMs;
    let total = 0;
    let bad = 0;
    for (let i = history.length - 1; i >= 0; i--) {
      const w = history[i]!;
      if (w.completeMs < fromMs) {
        if (w.invokeMs < fromMs - 120_000) break; // history is in send order; nothing older can complete later than this
        continue;
      }
      if (w.completeMs > nowMs) continue;
      total++;
      if (w.outcome !== 'ok') bad++;
    }
    if (total > 0 && bad / total > spec.errorRate.above) {
      return `error rate ${((100 * bad) / total).toFixed(1)} % > ${(100 * spec.errorRate.above).toFixed(1)} % over the last ${spec.errorRate.windowMs} ms`;
    }
  }
  if (spec.p99Latency && nowMs - loadStartMs >= spec.p99Latency.windowMs) {
    const fromMs = nowMs - spec.p99Latency.windowMs;
    const latencies: number[] = [];
    for (let i = history.length - 1; i >= 0 && history[i]!.invokeMs >= fromMs - 120_000; i--) {
      const w = history[i]!;
      if (w.outcome === 'ok' && w.completeMs >= fromMs && w.completeMs <= nowMs) latencies.push(w.completeMs - w.invokeMs);
    }
    if (latencies.length > 0) {
      latencies.sort((a, b) => a - b);
      const p99 = latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)]!;
      if (p99 > spec.p99Latency.aboveMs) return `p99 latency ${p99.toFixed(1)} ms > ${spec.p99Latency.aboveMs} ms over the last ${spec.p99Latency.windowMs} ms`;
    }
  }
  if (spec.recoveryDeadlineMs !== undefined && firstFaultAtMs !== null && nowMs - firstFaultAtMs > spec.recoveryDeadlineMs) {
    const recovery = liveRecovery(history, firstFaultAtMs, stableMs);
    if (recovery.recoveredAtMs === null && recovery.rtoMs !== 0) return `writes not recovered ${spec.recoveryDeadlineMs} ms after the fault`;
  }
  return null;
}

/** Watch the live history; abort the run (verdict "aborted", exit 3) when a stop condition holds. */
export function watchStopConditions(opts: {
  spec: AbortIfSpec;
  load: TrackedLoad;
  clock: RunClock;
  stableMs: number;
  firstFaultAtMs: () => number | null;
  abort: (reason: AbortedError) => void;
}): () => void {
  const { spec } = opts;
  if (!spec.errorRate && !spec.p99Latency && spec.recoveryDeadlineMs === undefined) return () => {};
  const loadStartMs = opts.clock.nowMs();
  const timer = setInterval(() => {
    const reason = stopConditionHolds(spec, opts.load.history(), opts.clock.nowMs(), loadStartMs, opts.firstFaultAtMs(), opts.stableMs);
    if (reason) {
      clearInterval(timer);
      opts.abort(new AbortedError(`stop condition: ${reason}`));
    }
  }, CHECK_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

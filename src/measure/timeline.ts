import type { WriteRecord } from '../load/history.js';
import { percentileSorted } from './percentiles.js';
import { roundLatencyMs } from './round.js';
import type { TimelineBucket } from './types.js';

/** More buckets than this is a caller bug (a bucket width in seconds passed as ms, ...), not a chart. */
export const MAX_BUCKETS = 1_000_000;

/**
 * Writes per bucket by INVOKE time over [fromMs, toMs): ok/fail/unknown counts and the p50/p99 latency of the
 * ok writes that started in the bucket. Writes outside the range are ignored. The history need not be sorted:
 * a counting pass, then the ok latencies grouped per bucket in one typed array, each group sorted once.
 */
/** `presentIds`: the ids read back after recovery, to count each bucket's lost writes (null: not read, no count). */
export function buildTimeline(history: readonly WriteRecord[], bucketMs: number, fromMs: number, toMs: number, presentIds: ReadonlySet<number> | null = null): TimelineBucket[] {
  if (!(bucketMs > 0)) throw new RangeError(`bucketMs must be > 0, got ${bucketMs}`);
  const n = Math.max(0, Math.ceil((toMs - fromMs) / bucketMs));
  if (n > MAX_BUCKETS) throw new RangeError(`${n} timeline buckets of ${bucketMs} ms from ${fromMs} to ${toMs} ms: more than ${MAX_BUCKETS}`);
  const ok = new Uint32Array(n);
  const fail = new Uint32Array(n);
  const unknown = new Uint32Array(n);
  const lost = new Uint32Array(n);
  for (const w of history) {
    const b = Math.floor((w.invokeMs - fromMs) / bucketMs);
    if (b < 0 || b >= n) continue;
    if (w.outcome === 'ok') {
      ok[b]!++;
      if (presentIds && !presentIds.has(w.id)) lost[b]!++;
    } else if (w.outcome === 'fail') fail[b]!++;
    else unknown[b]!++;
  }

  const start = new Uint32Array(n + 1);
  for (let b = 0; b < n; b++) start[b + 1] = start[b]! + ok[b]!;
  const latencies = new Float64Array(start[n]!);
  const cursor = start.slice(0, n);
  for (const w of history) {
    if (w.outcome !== 'ok') continue;
    const b = Math.floor((w.invokeMs - fromMs) / bucketMs);
    if (b < 0 || b >= n) continue;
    latencies[cursor[b]!++] = w.completeMs - w.invokeMs;
  }

  const buckets = new Array<TimelineBucket>(n);
  for (let b = 0; b < n; b++) {
    const lo = start[b]!;
    const hi = start[b + 1]!;
    let p50Ms: number | null = null;
    let p99Ms: number | null = null;
    if (hi > lo) {
      latencies.subarray(lo, hi).sort();
      p50Ms = roundLatencyMs(percentileSorted(latencies, 50, lo, hi));
      p99Ms = roundLatencyMs(percentileSorted(latencies, 99, lo, hi));
    }
    buckets[b] = { startMs: fromMs + b * bucketMs, ok: ok[b]!, fail: fail[b]!, unknown: unknown[b]!, ...(presentIds ? { lost: lost[b]! } : {}), p50Ms, p99Ms };
  }
  return buckets;
}

/**
 * A bucket-aligned range covering every write's invoke time and any extra times (faults, events) the chart
 * must show: fromMs is a multiple of bucketMs at or below the earliest, toMs one past the bucket of the latest.
 * { 0, 0 } when there is nothing to show.
 */
export function timelineRange(history: readonly WriteRecord[], bucketMs: number, alsoIncludeMs: readonly number[] = []): { fromMs: number; toMs: number } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const w of history) {
    if (w.invokeMs < lo) lo = w.invokeMs;
    if (w.invokeMs > hi) hi = w.invokeMs;
  }
  for (const t of alsoIncludeMs) {
    if (!Number.isFinite(t)) continue;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (lo > hi) return { fromMs: 0, toMs: 0 };
  return { fromMs: Math.floor(lo / bucketMs) * bucketMs, toMs: (Math.floor(hi / bucketMs) + 1) * bucketMs };
}

import type { WriteRecord } from '../load/history.js';
import { percentileSorted } from './percentiles.js';
import { roundLatencyMs } from './round.js';

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

/** Latencies (invoke → ack) of the ok writes in [from, to) of `history`, sorted ascending. */
export function sortedOkLatencies(history: readonly WriteRecord[], from = 0, to = history.length): Float64Array {
  let count = 0;
  for (let i = from; i < to; i++) if (history[i]!.outcome === 'ok') count++;
  const out = new Float64Array(count);
  let j = 0;
  for (let i = from; i < to; i++) {
    const w = history[i]!;
    if (w.outcome === 'ok') out[j++] = w.completeMs - w.invokeMs;
  }
  return out.sort(); // typed-array sort is numeric
}

/**
 * Response times (scheduled send → ack) of the ok writes, sorted ascending. Under open-loop load a write
 * that waited for a free connection was sent late; measured from its send (invoke) that wait is hidden
 * (coordinated omission). Measured from the time the schedule wanted it sent, it is not: this is what a
 * client with its own clock would have seen. Exact over every write, so no histogram is needed.
 */
export function sortedOkResponseTimes(history: readonly WriteRecord[]): Float64Array {
  const out: number[] = [];
  for (const w of history) if (w.outcome === 'ok') out.push(w.completeMs - Math.min(w.scheduledMs, w.invokeMs));
  return Float64Array.from(out).sort();
}

/** p50/p99/max of ok-write latency, or null when no write succeeded. */
export function summarizeLatency(sorted: Float64Array): LatencySummary | null {
  if (sorted.length === 0) return null;
  return {
    p50: roundLatencyMs(percentileSorted(sorted, 50)),
    p99: roundLatencyMs(percentileSorted(sorted, 99)),
    max: roundLatencyMs(sorted[sorted.length - 1]!),
  };
}

import type { WriteRecord } from '../load/history.js';

/**
 * The history in invoke order. The load records writes roughly in send order, so the common case is an
 * O(n) check that returns the input as is; otherwise one O(n log n) sort of a copy (the input is never
 * mutated). Ties keep their recorded order (Array.prototype.sort is stable).
 */
export function byInvoke(history: readonly WriteRecord[]): readonly WriteRecord[] {
  for (let i = 1; i < history.length; i++) {
    if (history[i]!.invokeMs < history[i - 1]!.invokeMs) return history.slice().sort(compareInvoke);
  }
  return history;
}

function compareInvoke(a: WriteRecord, b: WriteRecord): number {
  return a.invokeMs - b.invokeMs;
}

/** Index of the first write invoked at or after `ms` in an invoke-ordered history (binary search). */
export function firstIndexAtOrAfter(sorted: readonly WriteRecord[], ms: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.invokeMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

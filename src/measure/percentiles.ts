/**
 * Nearest-rank percentile of an ascending-sorted typed array slice [from, to). Exact, no interpolation:
 * the value reported is a latency some write really had.
 */
export function percentileSorted(sorted: Float64Array, p: number, from = 0, to = sorted.length): number {
  const n = to - from;
  if (n <= 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[from + rank - 1]!;
}

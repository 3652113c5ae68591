// How a change between two runs is judged: against the two values' precision added. Its own module
// because both the figures (compare.ts) and the event pairs (compare-events.ts) are judged by it.

/**
 * - same: equal (or both missing);
 * - within-noise: differs by no more than the combined precision: a rerun may go either way;
 * - significant: differs by more than the combined precision (any change of an exact count);
 * - changed: differs, and there is no precision to judge it by (settings, latency, versions);
 * - one-sided: a value in one run only.
 */
export type ChangeKind = 'same' | 'within-noise' | 'significant' | 'changed' | 'one-sided';

/** Judges b − a against the combined precision `noise` (0: exact); null noise: nothing to judge by. */
export function judge(a: number | null, b: number | null, noise: number | null): ChangeKind {
  if (a === null && b === null) return 'same';
  if (a === null || b === null) return 'one-sided';
  if (a === b) return 'same';
  if (noise === null) return 'changed';
  // The tolerance absorbs float noise (2550.6 + 539.4 − 2550.6 is 539.4000000000001): values here have at most 2 decimals.
  return Math.abs(b - a) > noise + 1e-6 ? 'significant' : 'within-noise';
}

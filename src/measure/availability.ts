// Availability in the terms the field uses, from a drill's history (docs/design.md "Availability"):
// MTTR = the mean measured RTO (which already runs from the fault to stable recovery, detection included),
// availability = MTBF / (MTBF + MTTR) for a declared MTBF, the nines it makes, and the downtime per year
// it implies. Pure arithmetic, unit-tested against figures worked out by hand.

export const YEAR_MS = 365.25 * 24 * 3600 * 1000;

export interface Mttr {
  /** Runs with a measured RTO. */
  n: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** Population standard deviation (the spread of these runs, not an estimate for others). */
  stdevMs: number;
}

/** MTTR over the measured RTOs; null when none was measured. */
export function mttrOf(rtosMs: readonly number[]): Mttr | null {
  if (rtosMs.length === 0) return null;
  const n = rtosMs.length;
  const meanMs = rtosMs.reduce((a, b) => a + b, 0) / n;
  const stdevMs = Math.sqrt(rtosMs.reduce((a, b) => a + (b - meanMs) ** 2, 0) / n);
  return { n, meanMs, minMs: Math.min(...rtosMs), maxMs: Math.max(...rtosMs), stdevMs };
}

export interface Availability {
  /** 0–1. */
  availability: number;
  /** −log10(1 − availability): 99.9 % = 3 nines. */
  nines: number;
  downtimePerYearMs: number;
}

/** availability = MTBF / (MTBF + MTTR). */
export function availabilityOf(mtbfMs: number, mttrMs: number): Availability {
  const availability = mtbfMs / (mtbfMs + mttrMs);
  return { availability, nines: availability >= 1 ? Number.POSITIVE_INFINITY : -Math.log10(1 - availability), downtimePerYearMs: (1 - availability) * YEAR_MS };
}

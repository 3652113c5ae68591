// The probe stream's writes carry ids of their own range, far above any declared load's (whose k-th app
// target starts at 1 + k × 1e9), so one read-back of the store serves both and neither is "unexpected"
// to the other. Safe integers, stored as BIGINT / hash fields like every id.

export const PROBE_FIRST_ID = 9_000_000_000_000;

export function isProbeId(id: number): boolean {
  return id >= PROBE_FIRST_ID;
}

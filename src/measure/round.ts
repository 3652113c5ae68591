// Rounding of reported numbers. Inputs are sub-ms floats; printing 2300.0000000004 helps nobody, and a
// tenth of a millisecond is below every stated precision.

/** Nearest 0.1 ms. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Nearest 0.01 ms: latencies of fast stores are a fraction of a millisecond. */
export function roundLatencyMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Up to the next 0.1 ms: a precision bound must never be rounded down. */
export function ceilMs(ms: number): number {
  return Math.ceil(ms * 10 - 1e-9) / 10;
}

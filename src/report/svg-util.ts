// Small helpers shared by the report's SVG charts.

/** Geometry shared by the charts so their time axes line up. */
export const CHART_W = 1200;
export const CHART_MARGIN_LEFT = 64;
export const CHART_MARGIN_RIGHT = 16;

/** A round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) at or above v. */
export function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v - 1e-9) return m * p;
  return 10 * p;
}

/** A finite number, or null (a result.json read from disk may hold anything). */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Coordinates with 2 decimals: enough for any screen, keeps 3600 rects small. */
export function f(v: number): string {
  return String(Math.round(v * 100) / 100);
}

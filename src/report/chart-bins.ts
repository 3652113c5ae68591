import type { ResultJson } from './result.js';
import { num } from './svg-util.js';

// The bars the charts draw. A chart has ~1100 px of plot: a 2-minute run at 10 ms buckets has 12,000
// buckets, so the overview merges k adjacent buckets into one bar (k chosen so there are at most
// MAX_BINS bars) and says so; the zoom around the fault usually draws every bucket as it is.

/** About one bar per plot pixel (1120 px): 2 min at 100 ms is drawn as recorded, 2 min at 10 ms merges 8. */
export const MAX_BINS = 1500;

export interface Bin {
  startMs: number;
  /** Width in ms: bucketMs × the number of buckets merged. */
  spanMs: number;
  ok: number;
  fail: number;
  unknown: number;
  /** Of ok: acknowledged and then lost. */
  lost: number;
  /** Median of the merged buckets' p50 (exact when nothing was merged); null when no ok write. */
  p50Ms: number | null;
  /** Maximum of the merged buckets' p99 (conservative); null when no ok write. */
  p99Ms: number | null;
}

export interface Bins {
  bins: Bin[];
  bucketMs: number;
  /** How many buckets each bar merges (1 = drawn as recorded). */
  merge: number;
}

/** The buckets overlapping [fromMs, toMs) (all of them without a range), merged down to at most maxBins bars. */
export function binTimeline(result: ResultJson, range: { fromMs: number; toMs: number } | null = null, maxBins = MAX_BINS): Bins {
  const bucketMs = num(result.timeline?.bucketMs) ?? 100;
  const all = Array.isArray(result.timeline?.buckets) ? result.timeline.buckets : [];
  const buckets = all.filter((b) => {
    const s = num(b?.startMs);
    return s !== null && (range === null || (s + bucketMs > range.fromMs && s < range.toMs));
  });
  const merge = Math.max(1, Math.ceil(buckets.length / Math.max(1, maxBins)));
  if (merge === 1) {
    return {
      bucketMs,
      merge,
      bins: buckets.map((b) => ({
        startMs: b.startMs,
        spanMs: bucketMs,
        ok: count(b.ok),
        fail: count(b.fail),
        unknown: count(b.unknown),
        lost: Math.min(count(b.lost), count(b.ok)),
        p50Ms: num(b.p50Ms),
        p99Ms: num(b.p99Ms),
      })),
    };
  }
  // Groups aligned to multiples of the merged width, so the same run always bins the same way.
  const width = merge * bucketMs;
  const groups = new Map<number, Bin & { p50s: number[] }>();
  for (const b of buckets) {
    const start = Math.floor(b.startMs / width) * width;
    let g = groups.get(start);
    if (!g) groups.set(start, (g = { startMs: start, spanMs: width, ok: 0, fail: 0, unknown: 0, lost: 0, p50Ms: null, p99Ms: null, p50s: [] }));
    g.ok += count(b.ok);
    g.fail += count(b.fail);
    g.unknown += count(b.unknown);
    g.lost += Math.min(count(b.lost), count(b.ok));
    const p50 = num(b.p50Ms);
    const p99 = num(b.p99Ms);
    if (p50 !== null) g.p50s.push(p50);
    if (p99 !== null) g.p99Ms = Math.max(g.p99Ms ?? 0, p99);
  }
  const bins = [...groups.values()].sort((a, b) => a.startMs - b.startMs).map(({ p50s, ...bin }) => ({ ...bin, p50Ms: median(p50s) }));
  return { bucketMs, merge, bins };
}

function count(v: unknown): number {
  const n = num(v);
  return n !== null && n > 0 ? n : 0;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

import type { ResultJson } from './result.js';
import { html, type SafeHtml } from './escape.js';
import { fmtMs } from './format.js';
import { CHART_MARGIN_LEFT, CHART_MARGIN_RIGHT, CHART_W, f, niceCeil, num } from './svg-util.js';

const plotW = CHART_W - CHART_MARGIN_LEFT - CHART_MARGIN_RIGHT;

/** p50/p99 latency of ok writes per bucket, as two polylines (gaps where no write succeeded). */
export function renderLatencySvg(result: ResultJson): SafeHtml {
  const buckets = Array.isArray(result.timeline?.buckets) ? result.timeline.buckets : [];
  const bucketMs = num(result.timeline?.bucketMs) ?? 100;
  const pts = buckets
    .map((b) => ({ t: num(b.startMs), p50: num(b.p50Ms), p99: num(b.p99Ms) }))
    .filter((p): p is { t: number; p50: number | null; p99: number | null } => p.t !== null);
  const maxLat = pts.reduce((mx, p) => Math.max(mx, p.p99 ?? p.p50 ?? 0), 0);
  if (pts.length === 0 || maxLat <= 0) return html``;
  const h = 140;
  const top = 12;
  const bottom = 24;
  const plotH = h - top - bottom;
  const from = pts[0]!.t;
  const to = pts[pts.length - 1]!.t + bucketMs;
  const yMax = niceCeil(maxLat);
  const x = (t: number) => CHART_MARGIN_LEFT + ((t + bucketMs / 2 - from) / (to - from)) * plotW;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const path = (key: 'p50' | 'p99') => {
    let d = '';
    let pen = false;
    for (const p of pts) {
      const v = p[key];
      if (v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(x(p.t))} ${f(y(v))}`;
      pen = true;
    }
    return d;
  };
  return html`<svg class="latency" viewBox="0 0 ${CHART_W} ${h}" width="100%" role="img" aria-label="ok-write latency per bucket" xmlns="http://www.w3.org/2000/svg">
<line x1="${CHART_MARGIN_LEFT}" y1="${top + plotH}" x2="${CHART_W - CHART_MARGIN_RIGHT}" y2="${top + plotH}" stroke="#8c959f"/>
<line x1="${CHART_MARGIN_LEFT}" y1="${top}" x2="${CHART_W - CHART_MARGIN_RIGHT}" y2="${top}" stroke="#d0d7de" stroke-dasharray="2 3"/>
<text x="${CHART_MARGIN_LEFT - 6}" y="${top + 4}" text-anchor="end" class="tick">${fmtMs(yMax)}</text>
<text x="${CHART_MARGIN_LEFT - 6}" y="${top + plotH + 4}" text-anchor="end" class="tick">0</text>
<path d="${path('p99')}" fill="none" stroke="#8250df" stroke-width="1.2"/>
<path d="${path('p50')}" fill="none" stroke="#0969da" stroke-width="1.2"/>
<text x="${CHART_MARGIN_LEFT}" y="${h - 6}" class="tick">ok-write latency per bucket: <tspan fill="#0969da">p50</tspan> / <tspan fill="#8250df">p99</tspan> (same time axis as above)</text>
</svg>`;
}

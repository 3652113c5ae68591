import type { ResultJson } from './result.js';
import { html, type SafeHtml } from './escape.js';
import { fmtMs } from './format.js';
import { renderMarkers } from './chart-markers.js';
import { rtoWindow, type ChartFrame } from './timeline-svg.js';
import { CHART_MARGIN_LEFT, CHART_MARGIN_RIGHT, CHART_W, f, niceCeil } from './svg-util.js';

const H = 150;
const TOP = 12;
const BOTTOM = 26;
const PLOT_H = H - TOP - BOTTOM;

/**
 * p50/p99 latency of ok writes per bar of the frame, as two polylines (gaps where no write succeeded),
 * on the same time axis as the timeline above it, with the same markers (lines only) and RTO window.
 */
export function renderLatencySvg(result: ResultJson, frame: ChartFrame | null): SafeHtml {
  if (frame === null) return html``;
  const { bins, x } = frame;
  const maxLat = bins.bins.reduce((mx, b) => Math.max(mx, b.p99Ms ?? b.p50Ms ?? 0), 0);
  if (bins.bins.length === 0 || maxLat <= 0) return html`<p class="muted">No ok-write latency in this range.</p>`;
  const yMax = niceCeil(maxLat);
  const y = (v: number) => TOP + PLOT_H - (v / yMax) * PLOT_H;
  const path = (key: 'p50Ms' | 'p99Ms') => {
    let d = '';
    let pen = false;
    for (const b of bins.bins) {
      const v = b[key];
      if (v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(x(b.startMs + b.spanMs / 2))} ${f(y(v))}`;
      pen = true;
    }
    return d;
  };
  const w = rtoWindow(result, frame.toMs);
  const x0 = w ? x(Math.max(frame.fromMs, w.fromMs)) : 0;
  const x1 = w ? x(Math.min(frame.toMs, w.toMs)) : 0;
  const merged = bins.merge > 1 ? `; each point merges ${bins.merge} buckets: median of p50, max of p99` : '';
  return html`<svg class="latency" data-testid="latency-${frame.id}" viewBox="0 0 ${CHART_W} ${H}" width="100%" role="img" aria-label="ok-write latency per bucket" xmlns="http://www.w3.org/2000/svg">
${w && x1 > x0 ? html`<rect x="${f(x0)}" y="${TOP}" width="${f(x1 - x0)}" height="${PLOT_H}" fill="#cf222e" opacity="0.08"/>` : ''}
<line x1="${CHART_MARGIN_LEFT}" y1="${TOP + PLOT_H}" x2="${CHART_W - CHART_MARGIN_RIGHT}" y2="${TOP + PLOT_H}" stroke="#8c959f"/>
<line x1="${CHART_MARGIN_LEFT}" y1="${TOP}" x2="${CHART_W - CHART_MARGIN_RIGHT}" y2="${TOP}" stroke="#d0d7de" stroke-dasharray="2 3"/>
<line x1="${CHART_MARGIN_LEFT}" y1="${TOP + PLOT_H / 2}" x2="${CHART_W - CHART_MARGIN_RIGHT}" y2="${TOP + PLOT_H / 2}" stroke="#eaeef2"/>
<text x="${CHART_MARGIN_LEFT - 6}" y="${TOP + 4}" text-anchor="end" class="tick">${fmtMs(yMax)}</text>
<text x="${CHART_MARGIN_LEFT - 6}" y="${TOP + PLOT_H / 2 + 4}" text-anchor="end" class="tick">${fmtMs(yMax / 2)}</text>
<text x="${CHART_MARGIN_LEFT - 6}" y="${TOP + PLOT_H + 4}" text-anchor="end" class="tick">0</text>
${renderMarkers(frame.markers, x, { top: TOP, bottom: TOP + PLOT_H, labelRows: 0, rowH: 0, width: CHART_W })}
<path d="${path('p99Ms')}" fill="none" stroke="#8250df" stroke-width="1.3" data-testid="p99"/>
<path d="${path('p50Ms')}" fill="none" stroke="#0969da" stroke-width="1.3" data-testid="p50"/>
<text x="${CHART_MARGIN_LEFT}" y="${H - 6}" class="tick">ok-write latency: <tspan fill="#0969da">p50</tspan> / <tspan fill="#8250df">p99</tspan> per bar (same time axis as above${merged})</text>
</svg>`;
}

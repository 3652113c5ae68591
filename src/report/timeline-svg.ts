import type { ResultJson } from './result.js';
import { html, SafeHtml } from './escape.js';
import { fmtMs, fmtOffsetMs } from './format.js';
import { CHART_MARGIN_LEFT, CHART_MARGIN_RIGHT, CHART_W, f, niceCeil, num } from './svg-util.js';

// The timeline chart as inline SVG: stacked bars per bucket (ok / unknown / fail), an axis in seconds,
// vertical markers for faults and key events, and the RTO window shaded. No per-bucket text, so ~1200
// buckets (2 min at 100 ms) stay readable and the file small.

const W = CHART_W;
const H = 300;
const LABEL_ROWS = 4;
const ROW_H = 12;
const M = { left: CHART_MARGIN_LEFT, right: CHART_MARGIN_RIGHT, top: 14 + LABEL_ROWS * ROW_H, bottom: 34 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;

export const COLORS = { ok: '#2da44e', unknown: '#d4a72c', fail: '#cf222e', fault: '#82071e', window: '#cf222e' } as const;

/** Event markers drawn on the chart, and their colours. */
export const MARKER_COLORS: Record<string, string> = {
  'switch-master': '#0969da',
  recovered: '#1a7f37',
  'first-failure': '#bc4c00',
  heal: '#6e7781',
};

/** A spike of refused writes (thousands a bucket) must not flatten the normal traffic to nothing. */
const CLIP_FACTOR = 4;

interface Marker {
  atMs: number;
  color: string;
  label: string;
  title: string;
  dashed: boolean;
}

/** A time range to draw instead of the whole run (the zoom around the fault). */
export interface TimelineView {
  fromMs: number;
  toMs: number;
}

/**
 * The zoom that matters: from a little before the fault to a little after the stable window that proved
 * recovery (or the end of the run). Null when there is no fault, or when the whole run is short anyway.
 */
export function faultView(result: ResultJson): TimelineView | null {
  const m = result.measured;
  const faultAt = num(m?.faultAtMs);
  const buckets = Array.isArray(result.timeline?.buckets) ? result.timeline.buckets : [];
  const bucketMs = num(result.timeline?.bucketMs) ?? 100;
  if (faultAt === null || buckets.length === 0) return null;
  const runFrom = num(buckets[0]!.startMs) ?? faultAt;
  const runTo = (num(buckets[buckets.length - 1]!.startMs) ?? faultAt) + bucketMs;
  const stable = num(m?.stableMs) ?? 1000;
  const end = num(m?.recoveredAtMs) ?? (m?.rtoMs === 0 ? faultAt : runTo);
  const fromMs = Math.max(runFrom, faultAt - Math.max(1000, stable));
  const toMs = Math.min(runTo, end + stable + 1000);
  // Worth a second chart only if it shows at most a third of the run.
  return toMs > fromMs && (toMs - fromMs) * 3 <= runTo - runFrom ? { fromMs, toMs } : null;
}

export function renderTimelineSvg(result: ResultJson, view: TimelineView | null = null): SafeHtml {
  const bucketMs = num(result.timeline?.bucketMs) ?? 100;
  const allBuckets = Array.isArray(result.timeline?.buckets) ? result.timeline.buckets : [];
  const buckets = view ? allBuckets.filter((b) => b.startMs + bucketMs > view.fromMs && b.startMs < view.toMs) : allBuckets;
  const faultAt = num(result.measured?.faultAtMs);
  const allMarkers = collectMarkers(result, faultAt);
  const markers = view ? allMarkers.filter((mk) => mk.atMs >= view.fromMs && mk.atMs <= view.toMs) : allMarkers;

  let from = view?.fromMs ?? Number.POSITIVE_INFINITY;
  let to = view?.toMs ?? Number.NEGATIVE_INFINITY;
  if (!view) {
    for (const b of buckets) {
      const s = num(b.startMs);
      if (s === null) continue;
      from = Math.min(from, s);
      to = Math.max(to, s + bucketMs);
    }
    for (const mk of markers) {
      from = Math.min(from, mk.atMs);
      to = Math.max(to, mk.atMs);
    }
  }
  if (!(to > from)) return html`<p class="muted">No timeline data was recorded.</p>`;

  const x = (t: number) => M.left + ((t - from) / (to - from)) * PLOT_W;
  const totals = buckets.map((b) => (num(b.ok) ?? 0) + (num(b.unknown) ?? 0) + (num(b.fail) ?? 0));
  const { yMax, clipped } = yScale(totals);
  const yOf = (count: number) => (count / yMax) * PLOT_H;
  const bucketPx = (bucketMs / (to - from)) * PLOT_W;
  // Wide bars get a 1 px gap; narrow ones overlap slightly so rounding leaves no hairline gaps.
  const barW = bucketPx > 4 ? bucketPx - 1 : bucketPx + 0.4;

  const ok: string[] = [];
  const unknown: string[] = [];
  const fail: string[] = [];
  const clipMarks: string[] = [];
  buckets.forEach((b, i) => {
    const total = totals[i]!;
    const s = num(b.startMs);
    if (total <= 0 || s === null) return;
    const scale = total > yMax ? yMax / total : 1;
    const x0 = Math.max(M.left, x(s));
    const bx = f(x0);
    const w = f(Math.max(0.5, Math.min(barW, x(s) + barW - x0, W - M.right - x0)));
    let base = M.top + PLOT_H;
    for (const [count, out] of [[num(b.ok) ?? 0, ok], [num(b.unknown) ?? 0, unknown], [num(b.fail) ?? 0, fail]] as const) {
      if (count <= 0) continue;
      const h = yOf(count * scale);
      base -= h;
      out.push(`<rect x="${bx}" y="${f(base)}" width="${w}" height="${f(h)}"/>`);
    }
    if (scale < 1) clipMarks.push(`<rect x="${bx}" y="${M.top - 3}" width="${w}" height="3"/>`);
  });

  const rtoWindow = renderWindow(result, faultAt, from, to, x);
  const axis = renderAxes(from, to, x, yMax, bucketMs);
  const marks = renderMarkers(markers, x);
  const clipNote = clipped
    ? html`<p class="muted">Bars are clipped at ${Math.round(yMax)} writes per bucket (peak ${totals.reduce((a, b) => Math.max(a, b), 0)}); clipped bars keep their proportions and carry a dark cap.</p>`
    : '';

  return html`<svg class="timeline" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Writes per ${fmtMs(bucketMs)} bucket over time" xmlns="http://www.w3.org/2000/svg">
${axis}
${rtoWindow}
<g shape-rendering="crispEdges">
<g fill="${COLORS.ok}">${raw(ok)}</g>
<g fill="${COLORS.unknown}">${raw(unknown)}</g>
<g fill="${COLORS.fail}">${raw(fail)}</g>
<g fill="#24292f">${raw(clipMarks)}</g>
</g>
${marks}
</svg>
<div class="legend"><span><i style="background:${COLORS.ok}"></i>ok</span><span><i style="background:${COLORS.unknown}"></i>unknown</span><span><i style="background:${COLORS.fail}"></i>fail</span><span><i style="background:${COLORS.fault}"></i>fault</span>${Object.entries(MARKER_COLORS).map(
    ([name, color]) => html`<span><i style="background:${color}"></i>${name}</span>`,
  )}<span><i style="background:${COLORS.window};opacity:.25"></i>RTO window (fault → recovered)</span></div>
${clipNote}`;
}

function collectMarkers(result: ResultJson, faultAt: number | null): Marker[] {
  const markers: Marker[] = [];
  for (const fault of Array.isArray(result.faults) ? result.faults : []) {
    const at = num(fault.injectedAtMs);
    if (at === null) continue;
    markers.push({
      atMs: at, color: COLORS.fault, dashed: false,
      label: `${fault.kind} ${fault.target}`,
      title: `fault: ${fault.kind} ${fault.target} (${fault.container}) at ${fmtMs(at)}`,
    });
  }
  for (const ev of Array.isArray(result.events) ? result.events : []) {
    const color = ev.marker === undefined ? undefined : MARKER_COLORS[ev.marker];
    const at = num(ev.atMs);
    if (color === undefined || at === null) continue;
    const rel = faultAt === null ? '' : ` (fault ${fmtOffsetMs(at - faultAt)})`;
    markers.push({ atMs: at, color, dashed: true, label: String(ev.marker), title: `${ev.source}: ${ev.message} at ${fmtMs(at)}${rel}` });
  }
  return markers.sort((a, b) => a.atMs - b.atMs);
}

function renderMarkers(markers: readonly Marker[], x: (t: number) => number): SafeHtml {
  // Labels go on LABEL_ROWS rows above the plot: each takes the first row where it does not overlap the
  // previous label (width estimated from its length); if none is free, the row that frees up first.
  const rowEnds = new Array<number>(LABEL_ROWS).fill(Number.NEGATIVE_INFINITY);
  return html`${markers.map((mk) => {
    const px = x(mk.atMs);
    const mx = f(px);
    const anchor = px > W - 140 ? 'end' : 'start';
    const width = mk.label.length * 6.2 + 8;
    const left = anchor === 'end' ? px - width : px;
    let row = rowEnds.findIndex((end) => end <= left);
    if (row < 0) row = rowEnds.indexOf(Math.min(...rowEnds));
    rowEnds[row] = left + width;
    return html`<g><title>${mk.title}</title>
<line x1="${mx}" y1="${M.top - 4 - row * ROW_H}" x2="${mx}" y2="${M.top + PLOT_H}" stroke="${mk.color}" stroke-width="1.5"${mk.dashed ? new SafeHtml(' stroke-dasharray="4 3"') : ''}/>
<text x="${f(x(mk.atMs) + (anchor === 'end' ? -3 : 3))}" y="${M.top - 6 - row * ROW_H}" text-anchor="${anchor}" class="marker" fill="${mk.color}">${mk.label}</text></g>`;
  })}`;
}

function renderWindow(result: ResultJson, faultAt: number | null, from: number, to: number, x: (t: number) => number): SafeHtml | string {
  if (faultAt === null) return '';
  const recoveredAt = num(result.measured?.recoveredAtMs);
  const end = recoveredAt ?? (result.measured?.rtoMs === 0 ? faultAt : to);
  if (end <= faultAt) return '';
  const x0 = x(Math.max(from, faultAt));
  const x1 = x(Math.min(to, end));
  const label = recoveredAt === null ? 'not recovered' : `RTO ${fmtMs(num(result.measured?.rtoMs))}`;
  return html`<g><title>${label}</title><rect x="${f(x0)}" y="${M.top}" width="${f(Math.max(1, x1 - x0))}" height="${PLOT_H}" fill="${COLORS.window}" opacity="0.1"/>
<text x="${f((x0 + x1) / 2)}" y="${M.top + 14}" text-anchor="middle" class="window">${label}</text></g>`;
}

function renderAxes(from: number, to: number, x: (t: number) => number, yMax: number, bucketMs: number): SafeHtml {
  const baseY = M.top + PLOT_H;
  const step = niceTimeStep(to - from);
  const ticks: SafeHtml[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to + 1e-9; t += step) {
    const tx = f(x(t));
    ticks.push(html`<line x1="${tx}" y1="${baseY}" x2="${tx}" y2="${baseY + 5}" stroke="#57606a"/><line x1="${tx}" y1="${M.top}" x2="${tx}" y2="${baseY}" stroke="#eaeef2"/><text x="${tx}" y="${baseY + 18}" text-anchor="middle" class="tick">${fmtSeconds(t)}</text>`);
  }
  const yTicks = [0, yMax / 2, yMax].map((v) => {
    const ty = f(baseY - (v / yMax) * PLOT_H);
    return html`<line x1="${M.left - 4}" y1="${ty}" x2="${M.left}" y2="${ty}" stroke="#57606a"/><text x="${M.left - 6}" y="${f(Number(ty) + 4)}" text-anchor="end" class="tick">${Math.round(v)}</text>`;
  });
  return html`<g class="axes">
<line x1="${M.left}" y1="${baseY}" x2="${W - M.right}" y2="${baseY}" stroke="#57606a"/>
<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${baseY}" stroke="#57606a"/>
${ticks}${yTicks}
<text x="${W - M.right}" y="${H - 2}" text-anchor="end" class="tick">time since end of warm-up (s)</text>
<text x="12" y="${M.top + PLOT_H / 2}" transform="rotate(-90 12 ${M.top + PLOT_H / 2})" text-anchor="middle" class="tick">writes / ${fmtMs(bucketMs)}</text>
</g>`;
}

/** The y range: the tallest bar, unless a refusal spike dwarfs normal traffic; then clip at CLIP_FACTOR × the median. */
function yScale(totals: readonly number[]): { yMax: number; clipped: boolean } {
  const nonZero = totals.filter((t) => t > 0).sort((a, b) => a - b);
  if (nonZero.length === 0) return { yMax: 1, clipped: false };
  const max = nonZero[nonZero.length - 1]!;
  const median = nonZero[Math.floor((nonZero.length - 1) / 2)]!;
  if (max > CLIP_FACTOR * median) return { yMax: niceCeil(CLIP_FACTOR * median), clipped: true };
  return { yMax: niceCeil(max * 1.1), clipped: false }; // a little headroom above the tallest bar
}

const TIME_STEPS_MS = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];

function niceTimeStep(spanMs: number): number {
  for (const s of TIME_STEPS_MS) if (spanMs / s <= 14) return s;
  return TIME_STEPS_MS[TIME_STEPS_MS.length - 1]!;
}

function fmtSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** Our own generated markup (numbers and constant colours only). */
function raw(parts: readonly string[]): SafeHtml {
  return new SafeHtml(parts.join(''));
}

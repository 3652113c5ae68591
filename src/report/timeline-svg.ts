import type { ResultJson } from './result.js';
import { html, SafeHtml } from './escape.js';
import { fmtInt, fmtMs } from './format.js';
import { binTimeline, type Bins } from './chart-bins.js';
import { assignLabelRows, collectMarkers, FAULT_COLOR, RUNBOOK_COLOR, renderMarkers, type Marker } from './chart-markers.js';
import { CHART_MARGIN_LEFT, CHART_MARGIN_RIGHT, CHART_W, f, niceCeil, num } from './svg-util.js';

// The timeline chart as inline SVG: stacked bars per bucket (ok / unknown / fail), an axis in seconds,
// vertical markers for faults and key events, and the RTO window shaded. No per-bucket text; long runs
// at fine buckets are merged down to ~1 bar per pixel (chart-bins.ts), the zoom shows the real buckets.

const W = CHART_W;
/** At most this many rows of marker labels above the plot; the chart grows by the rows it needs. */
const MAX_LABEL_ROWS = 7;
const ROW_H = 14;
const PLOT_H = 220;
const M = { left: CHART_MARGIN_LEFT, right: CHART_MARGIN_RIGHT, bottom: 34 };
const PLOT_W = W - M.left - M.right;

export const COLORS = { ok: '#2da44e', lost: '#6e0a1e', unknown: '#d4a72c', fail: '#cf222e', fault: FAULT_COLOR, window: '#cf222e' } as const;

/** A spike of refused writes (thousands a bucket) must not flatten the normal traffic to nothing. */
const CLIP_FACTOR = 4;

/** A time range to draw instead of the whole run (the zoom around the fault). */
export interface TimelineView {
  fromMs: number;
  toMs: number;
}

/** What the timeline and latency charts of one view share, so their time axes line up. */
export interface ChartFrame {
  fromMs: number;
  toMs: number;
  bins: Bins;
  markers: Marker[];
  x: (t: number) => number;
  /** 'overview' or 'zoom': part of the charts' data-testid. */
  id: string;
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

/** The frame of one view: its bins, its markers, and the x scale. Null when there is nothing to draw. */
export function chartFrame(result: ResultJson, view: TimelineView | null = null): ChartFrame | null {
  const bins = binTimeline(result, view);
  const all = collectMarkers(result);
  const markers = view ? all.filter((mk) => mk.atMs >= view.fromMs && mk.atMs <= view.toMs) : all;
  let from = view?.fromMs ?? Number.POSITIVE_INFINITY;
  let to = view?.toMs ?? Number.NEGATIVE_INFINITY;
  if (!view) {
    for (const b of bins.bins) {
      from = Math.min(from, b.startMs);
      to = Math.max(to, b.startMs + b.spanMs);
    }
    for (const mk of markers) {
      from = Math.min(from, mk.atMs);
      to = Math.max(to, mk.atMs);
    }
  }
  if (!(to > from)) return null;
  const fromMs = from;
  const toMs = to;
  return { fromMs, toMs, bins, markers, id: view ? 'zoom' : 'overview', x: (t: number) => M.left + ((t - fromMs) / (toMs - fromMs)) * PLOT_W };
}

export function renderTimelineSvg(result: ResultJson, frame: ChartFrame | null): SafeHtml {
  if (frame === null) return html`<p class="muted">No timeline data was recorded.</p>`;
  const { fromMs: from, toMs: to, x, bins } = frame;
  const labelRows = Math.max(1, assignLabelRows(frame.markers, x, MAX_LABEL_ROWS, W).used);
  const top = 20 + labelRows * ROW_H;
  const H = top + PLOT_H + M.bottom;
  const g: Geometry = { top, H };
  const totals = bins.bins.map((b) => b.ok + b.unknown + b.fail);
  const { yMax, clipped } = yScale(totals);
  const yOf = (n: number) => (n / yMax) * PLOT_H;
  const binPx = ((bins.bins[0]?.spanMs ?? bins.bucketMs) / (to - from)) * PLOT_W;
  // Wide bars get a 1 px gap; narrow ones overlap slightly so rounding leaves no hairline gaps.
  const barW = binPx > 4 ? binPx - 1 : binPx + 0.4;

  const ok: string[] = [];
  const lost: string[] = [];
  const unknown: string[] = [];
  const fail: string[] = [];
  const clipMarks: string[] = [];
  bins.bins.forEach((b, i) => {
    const total = totals[i]!;
    if (total <= 0) return;
    const scale = total > yMax ? yMax / total : 1;
    const x0 = Math.max(M.left, x(b.startMs));
    const bx = f(x0);
    const w = f(Math.max(0.5, Math.min(barW, x(b.startMs) + barW - x0, W - M.right - x0)));
    let base = top + PLOT_H;
    // Lost at the bottom, in the darkest red: acknowledged to the client, gone after recovery.
    for (const [n, out, what] of [
      [b.lost, lost, 'acknowledged, then lost'],
      [b.ok - b.lost, ok, ''],
      [b.unknown, unknown, ''],
      [b.fail, fail, ''],
    ] as const) {
      if (n <= 0) continue;
      const h = yOf(n * scale);
      base -= h;
      out.push(`<rect x="${bx}" y="${f(base)}" width="${w}" height="${f(h)}"${what ? `><title>${n} ${what} (sent ${fmtMs(b.startMs)} … ${fmtMs(b.startMs + b.spanMs)})</title></rect>` : '/>'}`);
    }
    if (scale < 1) clipMarks.push(`<rect x="${bx}" y="${top - 3}" width="${w}" height="3"/>`);
  });

  const per = bins.merge > 1 ? `${fmtMs(bins.bucketMs * bins.merge)} (${bins.merge} buckets merged)` : fmtMs(bins.bucketMs);
  const notes: SafeHtml[] = [];
  if (bins.merge > 1) notes.push(html`Each bar merges ${bins.merge} recorded ${fmtMs(bins.bucketMs)} buckets so that the whole run fits; the zoom below shows the buckets as recorded.`);
  if (clipped) {
    notes.push(html`Bars are clipped at ${Math.round(yMax)} writes per bar (peak ${totals.reduce((a, b) => Math.max(a, b), 0)}); clipped bars keep their proportions and carry a dark cap.`);
  }
  return html`<svg class="timeline" data-testid="timeline-${frame.id}" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Writes per ${per} over time, by outcome" xmlns="http://www.w3.org/2000/svg">
${renderAxes(g, from, to, x, yMax, per)}
${renderWindow(g, result, from, to, x)}
<g shape-rendering="crispEdges" data-testid="bars">
<g fill="${COLORS.ok}" class="bars-ok">${raw(ok)}</g>
<g fill="${COLORS.lost}" class="bars-lost" data-testid="bars-lost" data-count="${bins.bins.reduce((s, b) => s + b.lost, 0)}">${raw(lost)}</g>
<g fill="${COLORS.unknown}" class="bars-unknown">${raw(unknown)}</g>
<g fill="${COLORS.fail}" class="bars-fail">${raw(fail)}</g>
<g fill="#24292f">${raw(clipMarks)}</g>
</g>
${renderMarkers(frame.markers, x, { top, bottom: top + PLOT_H, labelRows: MAX_LABEL_ROWS, rowH: ROW_H, width: W })}
</svg>
${notes.length ? html`<p class="muted">${notes.map((n, i) => html`${i ? ' ' : ''}${n}`)}</p>` : ''}`;
}

/** The colour key under the charts: outcomes, then the kinds of markers this run has. */
export function renderLegend(result: ResultJson): SafeHtml {
  const seen = new Map<string, string>();
  for (const mk of collectMarkers(result)) {
    const name = mk.color === FAULT_COLOR ? 'fault' : mk.color === RUNBOOK_COLOR ? 'runbook step' : mk.label;
    if (!seen.has(name)) seen.set(name, mk.color);
  }
  const item = (name: string, color: string, extra = '') => html`<span><i style="background:${color}${extra}"></i>${name}</span>`;
  return html`<div class="legend">${item('ok', COLORS.ok)}${item('acknowledged, then lost', COLORS.lost)}${item('unknown', COLORS.unknown)}${item('fail', COLORS.fail)}${[...seen].map(([n, c]) => item(n, c))}${item(
    'RTO window (fault → recovered)',
    COLORS.window,
    ';opacity:.25',
  )}${rpoWindow(result) ? item('RPO window (last safe ack → fault)', COLORS.lost, ';opacity:.25') : ''}<span><i style="background:#0969da"></i>p50 / <i style="background:#8250df"></i>p99 latency</span></div>`;
}

interface Geometry {
  top: number;
  H: number;
}

function renderWindow(g: Geometry, result: ResultJson, from: number, to: number, x: (t: number) => number): SafeHtml {
  return html`${shade(g, 'rto-window', rtoWindow(result, to), from, to, x, COLORS.window)}${shade(g, 'rpo-window', rpoWindow(result), from, to, x, COLORS.lost)}`;
}

function shade({ top }: Geometry, id: string, w: { fromMs: number; toMs: number; label: string } | null, from: number, to: number, x: (t: number) => number, color: string): SafeHtml | string {
  if (w === null) return '';
  const x0 = x(Math.max(from, w.fromMs));
  const x1 = x(Math.min(to, w.toMs));
  if (x1 <= x0) return '';
  return html`<g data-testid="${id}"><title>${w.label}</title><rect x="${f(x0)}" y="${top}" width="${f(Math.max(1, x1 - x0))}" height="${PLOT_H}" fill="${color}" opacity="0.1"/>
<text x="${f((x0 + x1) / 2)}" y="${top + 14}" text-anchor="middle" class="window">${w.label}</text></g>`;
}

/** Last safe acknowledgement → fault: the data-loss window (RPO), when writes were lost. */
export function rpoWindow(result: ResultJson): { fromMs: number; toMs: number; label: string } | null {
  const m = result.measured;
  const faultAt = num(m?.faultAtMs);
  const safe = num(m?.lastSafeAckMs);
  const rpo = num(m?.rpoMs);
  if (faultAt === null || safe === null || rpo === null || rpo <= 0 || !(num(m?.lostWrites) ?? 0)) return null;
  return { fromMs: safe, toMs: faultAt, label: `RPO ${fmtMs(rpo)}` };
}

/** Fault → recovered (or → end of the chart when never recovered); null when there is no window. */
export function rtoWindow(result: ResultJson, endMs: number): { fromMs: number; toMs: number; label: string } | null {
  const m = result.measured;
  const faultAt = num(m?.faultAtMs);
  if (faultAt === null) return null;
  const recoveredAt = num(m?.recoveredAtMs);
  const toMs = recoveredAt ?? (m?.rtoMs === 0 ? faultAt : endMs);
  if (toMs <= faultAt) return null;
  return { fromMs: faultAt, toMs, label: recoveredAt === null ? 'not recovered' : `RTO ${fmtMs(num(m?.rtoMs))}` };
}

function renderAxes({ top, H }: Geometry, from: number, to: number, x: (t: number) => number, yMax: number, per: string): SafeHtml {
  const baseY = top + PLOT_H;
  const step = niceTimeStep(to - from);
  const ticks: SafeHtml[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to + 1e-9; t += step) {
    const tx = f(x(t));
    ticks.push(
      html`<line x1="${tx}" y1="${baseY}" x2="${tx}" y2="${baseY + 5}" stroke="#57606a"/><line x1="${tx}" y1="${top}" x2="${tx}" y2="${baseY}" stroke="#eaeef2"/><text x="${tx}" y="${baseY + 18}" text-anchor="middle" class="tick">${fmtSeconds(t, step)}</text>`,
    );
  }
  const yTicks = [0, yMax / 2, yMax].map((v) => {
    const ty = f(baseY - (v / yMax) * PLOT_H);
    return html`<line x1="${M.left - 4}" y1="${ty}" x2="${M.left}" y2="${ty}" stroke="#57606a"/><text x="${M.left - 6}" y="${f(Number(ty) + 4)}" text-anchor="end" class="tick">${Number.isInteger(v) ? fmtInt(v) : v.toFixed(1)}</text>`;
  });
  return html`<g class="axes">
<line x1="${M.left}" y1="${baseY}" x2="${W - M.right}" y2="${baseY}" stroke="#57606a"/>
<line x1="${M.left}" y1="${top}" x2="${M.left}" y2="${baseY}" stroke="#57606a"/>
${ticks}${yTicks}
<text x="${W - M.right}" y="${H - 2}" text-anchor="end" class="tick">time since end of warm-up (s)</text>
<text x="12" y="${top + PLOT_H / 2}" transform="rotate(-90 12 ${top + PLOT_H / 2})" text-anchor="middle" class="tick">writes / ${per.replace(/ \(.*$/, '')}</text>
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

const TIME_STEPS_MS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];

function niceTimeStep(spanMs: number): number {
  for (const s of TIME_STEPS_MS) if (spanMs / s <= 14) return s;
  return TIME_STEPS_MS[TIME_STEPS_MS.length - 1]!;
}

function fmtSeconds(ms: number, stepMs: number): string {
  const digits = stepMs >= 1000 ? 0 : stepMs >= 100 ? 1 : 2;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(digits)} s`;
}

/** Our own generated markup (numbers and constant colours only). */
function raw(parts: readonly string[]): SafeHtml {
  return new SafeHtml(parts.join(''));
}

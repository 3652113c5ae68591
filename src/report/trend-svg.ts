import type { IndexedRun } from './index-types.js';
import { html, type SafeHtml } from './escape.js';
import { fmtInt, fmtMs, fmtMsPm } from './format.js';
import { f, niceCeil } from './svg-util.js';

// The trend of one drill over its runs (oldest left, newest right, evenly spaced: runs are not evenly
// spaced in time and a time axis would bunch them): RTO as a line with the declared objective dashed,
// lost writes as bars underneath. Each point has a tooltip with the run, its verdict and numbers.

const W = 640;
const LEFT = 58;
const RIGHT = 14;
const RTO_TOP = 18;
const RTO_H = 96;
const LOST_TOP = RTO_TOP + RTO_H + 26;
const LOST_H = 44;
const H = LOST_TOP + LOST_H + 30;
/** The last this-many runs of a drill. */
export const TREND_RUNS = 40;

export const VERDICT_COLORS: Record<string, string> = { pass: '#1a7f37', fail: '#cf222e', error: '#8250df', aborted: '#6e7781' };

export function renderTrendSvg(runsNewestFirst: readonly IndexedRun[], drillIndex: number): SafeHtml {
  const runs = runsNewestFirst.slice(0, TREND_RUNS).reverse();
  const n = runs.length;
  const plotW = W - LEFT - RIGHT;
  // Points sit inside the axes by half a bar so the first and last bars are not cut.
  const pad = 14;
  const x = (i: number) => LEFT + pad + (n === 1 ? (plotW - 2 * pad) / 2 : (i / (n - 1)) * (plotW - 2 * pad));
  const declared = runs.map((r) => r.rtoDeclaredMs).filter((v): v is number => v !== null);
  const rtoObjective = declared.length ? declared[declared.length - 1]! : null;
  const rtoMax = niceCeil(Math.max(1, ...runs.map((r) => r.rtoMs ?? 0), rtoObjective ?? 0) * 1.1);
  const yRto = (v: number) => RTO_TOP + RTO_H - (Math.min(v, rtoMax) / rtoMax) * RTO_H;
  const lostMax = niceCeil(Math.max(1, ...runs.map((r) => r.lostWrites ?? 0)));
  const yLost = (v: number) => (Math.min(v, lostMax) / lostMax) * LOST_H;
  const barW = Math.max(2, Math.min(18, (plotW / Math.max(1, n)) * 0.6));

  let d = '';
  let pen = false;
  runs.forEach((r, i) => {
    if (r.rtoMs === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${f(x(i))} ${f(yRto(r.rtoMs))}`;
    pen = true;
  });
  const tip = (r: IndexedRun) =>
    `${r.runId} · ${r.startedAt} · ${r.verdict.toUpperCase()} · RTO ${r.rtoMs === null ? 'not recovered / not measured' : fmtMsPm(r.rtoMs, r.precisionMs)} · lost writes ${r.lostWrites === null ? 'unknown' : fmtInt(r.lostWrites)}`;
  const first = runs[0];
  const last = runs[n - 1];
  return html`<svg class="trend" data-testid="trend" data-drill-index="${drillIndex}" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="RTO and lost writes over the last ${n} runs" xmlns="http://www.w3.org/2000/svg">
<text x="${LEFT}" y="${RTO_TOP - 6}" class="tick strong">RTO</text>
<line x1="${LEFT}" y1="${RTO_TOP + RTO_H}" x2="${W - RIGHT}" y2="${RTO_TOP + RTO_H}" stroke="#8c959f"/>
<line x1="${LEFT}" y1="${RTO_TOP}" x2="${W - RIGHT}" y2="${RTO_TOP}" stroke="#eaeef2"/>
<text x="${LEFT - 6}" y="${RTO_TOP + 4}" text-anchor="end" class="tick">${fmtMs(rtoMax)}</text>
<text x="${LEFT - 6}" y="${RTO_TOP + RTO_H + 4}" text-anchor="end" class="tick">0</text>
${
  rtoObjective === null
    ? ''
    : html`<g data-testid="trend-objective"><title>RTO objective ≤ ${fmtMs(rtoObjective)}</title><line x1="${LEFT}" y1="${f(yRto(rtoObjective))}" x2="${W - RIGHT}" y2="${f(yRto(rtoObjective))}" stroke="#cf222e" stroke-dasharray="5 4"/>
<text x="${W - RIGHT}" y="${f(yRto(rtoObjective) - 4)}" text-anchor="end" class="tick">objective ${fmtMs(rtoObjective)}</text></g>`
}
<path d="${d}" fill="none" stroke="#0969da" stroke-width="1.5" data-testid="trend-rto-line"/>
${runs.map((r, i) =>
  r.rtoMs === null
    ? html`<g data-testid="trend-point"><title>${tip(r)}</title><text x="${f(x(i))}" y="${RTO_TOP + 10}" text-anchor="middle" class="nr" fill="#cf222e">✕</text></g>`
    : html`<g data-testid="trend-point"><title>${tip(r)}</title><circle cx="${f(x(i))}" cy="${f(yRto(r.rtoMs))}" r="4" fill="${VERDICT_COLORS[r.verdict] ?? '#6e7781'}" stroke="#fff" stroke-width="1"/></g>`,
)}
<text x="${LEFT}" y="${LOST_TOP - 6}" class="tick strong">lost writes</text>
<line x1="${LEFT}" y1="${LOST_TOP + LOST_H}" x2="${W - RIGHT}" y2="${LOST_TOP + LOST_H}" stroke="#8c959f"/>
<text x="${LEFT - 6}" y="${LOST_TOP + 4}" text-anchor="end" class="tick">${fmtInt(lostMax)}</text>
<text x="${LEFT - 6}" y="${LOST_TOP + LOST_H + 4}" text-anchor="end" class="tick">0</text>
${runs.map((r, i) => {
  const v = r.lostWrites;
  const h = v === null ? LOST_H : Math.max(v > 0 ? 2 : 1, yLost(v));
  const fill = v === null ? '#d0d7de' : v > 0 ? '#cf222e' : '#8c959f';
  return html`<g data-testid="trend-lost"><title>${tip(r)}</title><rect x="${f(x(i) - barW / 2)}" y="${f(LOST_TOP + LOST_H - h)}" width="${f(barW)}" height="${f(h)}" fill="${fill}"/></g>`;
})}
${first ? html`<text x="${LEFT}" y="${H - 8}" class="tick">${shortDate(first)}</text>` : ''}
${last && n > 1 ? html`<text x="${W - RIGHT}" y="${H - 8}" text-anchor="end" class="tick">${shortDate(last)} (newest)</text>` : ''}
</svg>`;
}

function shortDate(r: IndexedRun): string {
  return r.startedMs === null ? r.runId : new Date(r.startedMs).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

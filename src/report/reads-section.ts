import type { ResultJson } from './result.js';
import type { AnomalyCount, ReadBucket } from '../measure/reads.js';
import { html, SafeHtml } from './escape.js';
import { fmtInt, fmtMs, fmtMsPm } from './format.js';
import type { ChartFrame } from './timeline-svg.js';
import { CHART_MARGIN_LEFT, CHART_MARGIN_RIGHT, CHART_W, f, num } from './svg-util.js';

// The read side of a run (load.reads; docs/reads.md): a row of its own under the writes' timeline, on
// the same time axis, in colours of its own (reads in blue, what they saw wrong in purple shades), and
// a section of read results: availability beside the writes', and each anomaly with its window.

export const READ_COLORS = { ok: '#54aeff', stale: '#8250df', ownMissed: '#bf3989', dirty: '#3e1f79', fail: '#fb8f44', unknown: '#d4a72c' } as const;
const ROW_H = 70;
const ORDER = ['dirty', 'ownMissed', 'stale', 'ok', 'unknown', 'fail'] as const;
const LABELS: Record<(typeof ORDER)[number], string> = {
  ok: 'read ok',
  stale: 'stale read',
  ownMissed: 'missed own write',
  dirty: 'dirty read',
  fail: 'read failed',
  unknown: 'read unknown',
};

function readBuckets(r: ResultJson): ReadBucket[] {
  const b = r.measured?.reads?.buckets;
  return Array.isArray(b) ? b : [];
}

/** The reads' row, drawn with the writes' chart frame so both share one time axis. */
export function renderReadsRow(r: ResultJson, frame: ChartFrame | null): SafeHtml | string {
  const buckets = readBuckets(r);
  if (frame === null || buckets.length === 0) return '';
  const bucketMs = num(r.timeline?.bucketMs) ?? 100;
  const shown = buckets.filter((b) => b.startMs + bucketMs > frame.fromMs && b.startMs < frame.toMs);
  const totals = shown.map((b) => ORDER.reduce((s, k) => s + b[k], 0));
  const yMax = Math.max(1, ...totals);
  const top = 18;
  const H = top + ROW_H + 6;
  const barW = Math.max(0.6, frame.x(frame.fromMs + bucketMs) - frame.x(frame.fromMs) - (bucketMs / (frame.toMs - frame.fromMs) > 0.004 ? 1 : -0.4));
  const parts: Record<(typeof ORDER)[number], string[]> = { ok: [], stale: [], ownMissed: [], dirty: [], fail: [], unknown: [] };
  shown.forEach((b, i) => {
    if (totals[i]! === 0) return;
    const x0 = Math.max(CHART_MARGIN_LEFT, frame.x(b.startMs));
    const w = f(Math.min(barW, CHART_W - CHART_MARGIN_RIGHT - x0));
    let base = top + ROW_H;
    for (const k of ORDER) {
      if (b[k] <= 0) continue;
      const h = (b[k] / yMax) * ROW_H;
      base -= h;
      parts[k].push(`<rect x="${f(x0)}" y="${f(base)}" width="${w}" height="${f(h)}"><title>${b[k]} ${LABELS[k]} (sent ${fmtMs(b.startMs)} … ${fmtMs(b.startMs + bucketMs)})</title></rect>`);
    }
  });
  const groups = ORDER.map((k) => html`<g fill="${READ_COLORS[k]}" data-testid="reads-${k}" data-count="${shown.reduce((s, b) => s + b[k], 0)}">${raw(parts[k])}</g>`);
  return html`<svg class="timeline reads-row" data-testid="reads-row-${frame.id}" viewBox="0 0 ${CHART_W} ${H}" width="100%" role="img" aria-label="Reads over time, by what they saw" xmlns="http://www.w3.org/2000/svg">
<text x="4" y="${top + ROW_H / 2}" class="axis">reads</text><text x="4" y="${top + ROW_H / 2 + 13}" class="axis">≤ ${yMax}/bar</text>
<line x1="${f(frame.x(frame.fromMs))}" x2="${f(frame.x(frame.toMs))}" y1="${top + ROW_H}" y2="${top + ROW_H}" stroke="#8c959f"/>
<g shape-rendering="crispEdges">${groups}</g>
</svg>`;
}

export function renderReadsLegend(r: ResultJson): SafeHtml | string {
  if (readBuckets(r).length === 0) return '';
  return html`<div class="legend" data-testid="reads-legend">${ORDER.map((k) => html`<span><i style="background:${READ_COLORS[k]}"></i>${LABELS[k]}</span>`)}</div>`;
}

/** Read results: availability beside the writes', then each anomaly with its count, window and first reads. */
export function readsSection(r: ResultJson): SafeHtml | string {
  const m = r.measured;
  const reads = m?.reads;
  if (!m || !reads) return '';
  const row = (name: string, c: AnomalyCount | null | undefined, meaning: string, testid: string) =>
    html`<tr data-testid="${testid}"><td>${name}</td><td class="num">${c ? fmtInt(c.count) : '—'}</td><td class="num">${c?.firstAtMs == null ? '—' : html`${fmtMs(c.firstAtMs)} … ${fmtMs(c.lastAtMs)}`}</td><td>${meaning}</td></tr>`;
  const dirty = reads.dirty;
  const examples = [
    ...reads.stale.examples.slice(0, 5).map((a) => ({ ...a, kind: 'stale' })),
    ...reads.readYourWrites.examples.slice(0, 5).map((a) => ({ ...a, kind: 'missed own write' })),
    ...(dirty?.examples.slice(0, 5).map((a) => ({ ...a, kind: 'dirty' })) ?? []),
  ];
  return html`<section data-testid="reads-section"><h2>Reads</h2>
<p>${fmtInt(reads.total)} reads: ${fmtInt(reads.ok)} answered (${fmtInt(reads.notFound)} of them not found), ${fmtInt(reads.fail)} failed, ${fmtInt(reads.unknown)} unknown.</p>
<table data-testid="reads-availability"><thead><tr><th></th><th class="num">RTO</th><th class="num">Downtime</th></tr></thead><tbody>
<tr><td>Reads</td><td class="num">${reads.rtoMs === null ? 'not recovered' : fmtMsPm(reads.rtoMs, reads.precisionMs)}</td><td class="num">${reads.downtimeMs === null ? '—' : fmtMs(reads.downtimeMs)}</td></tr>
<tr><td>Writes</td><td class="num">${m.rtoMs === null ? 'not recovered' : fmtMsPm(m.rtoMs, m.precisionMs)}</td><td class="num">${m.downtimeMs === null ? '—' : fmtMs(m.downtimeMs)}</td></tr>
</tbody></table>
<table data-testid="reads-anomalies"><thead><tr><th>Anomaly</th><th class="num">Reads</th><th class="num">Sent from … to</th><th>Meaning</th></tr></thead><tbody>
${row('Stale reads', reads.stale, `an older version (or nothing) though a newer one was acknowledged before the read was sent; ${fmtInt(reads.checkedReads)} reads could be checked${reads.staleLagMs ? `; behind by ${fmtMs(reads.staleLagMs.p50)} (median), ${fmtMs(reads.staleLagMs.max)} at most` : ''}`, 'reads-stale')}
${row('Read-your-writes violations', reads.readYourWrites, "a read of one's own newest acknowledged write that did not see it", 'reads-own')}
${row('Dirty reads', dirty, dirty ? `a version not in the data after recovery: ${fmtInt(dirty.ackedThenLost)} acknowledged then lost, ${fmtInt(dirty.neverAcked)} never acknowledged` : 'not known: the data could not be read back', 'reads-dirty')}
</tbody></table>
${
  examples.length
    ? html`<p class="muted">First anomalous reads (version: the id of the newest write to the key the node had):</p><table data-testid="reads-examples"><thead><tr><th>Kind</th><th class="num">Read</th><th class="num">Key</th><th class="num">Sent at</th><th class="num">Version read</th><th class="num">Expected at least</th></tr></thead><tbody>${examples.map(
        (a) =>
          html`<tr><td>${a.kind}</td><td class="num">${a.seq}</td><td class="num">${a.key}</td><td class="num">${fmtMs(a.atMs)}</td><td class="num">${a.read ?? 'not found'}</td><td class="num">${a.kind === 'dirty' ? '— (never survived)' : a.expected}</td></tr>`,
      )}</tbody></table>`
    : ''
}
</section>`;
}

/** Rects built above from numbers and fixed labels only. */
function raw(parts: readonly string[]): SafeHtml {
  return new SafeHtml(parts.join(''));
}

import type { FigureChange, RunComparison } from './compare.js';
import { changeText, eventLabel, fmtDeclared, fmtDelta, fmtFigure, fmtNoise, repeatedKeys, stateText } from './compare-format.js';
import { fmtMs, fmtOffsetMs } from './format.js';
import { clean } from './summary-text.js';

// `drill report --compare` on a terminal or in a CI log: plain text in aligned columns, no colour (a CI
// log shows escape codes as junk), every text from a result.json stripped of control characters.

type Align = 'l' | 'r';

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Terminal columns a cell takes: one per character as seen (≤, ±, → and − are one each, not their UTF-16 length). */
function width(text: string): number {
  let n = 0;
  for (const _ of graphemes.segment(text)) n++;
  return n;
}

/** Rows padded to their columns' widths, two spaces apart. */
export function alignColumns(rows: readonly (readonly string[])[], align: readonly Align[], indent = '  '): string[] {
  const cells = rows.map((r) => r.map((c) => clean(c).replace(/\t/g, ' ')));
  const widths: number[] = [];
  for (const r of cells) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, width(c))));
  return cells.map((r) =>
    (
      indent +
      r
        .map((c, i) => {
          const pad = ' '.repeat((widths[i] ?? 0) - width(c));
          return align[i] === 'r' ? pad + c : c + pad;
        })
        .join('  ')
    ).trimEnd(),
  );
}

/** The judgement in a log: a significant change in capitals, so it stands out when scanning. */
function judged(f: Pick<FigureChange, 'change' | 'a'>): string {
  const t = changeText(f.change, f.a === null);
  return f.change === 'significant' ? t.toUpperCase() : t;
}

/** Rows of the figures either run has (a figure neither run recorded says nothing). */
function figureRows(figures: readonly FigureChange[]): string[][] {
  return figures
    .filter((f) => f.a !== null || f.b !== null)
    .map((f) => [f.label, fmtFigure(f.a, f.unit, f.precisionA), fmtFigure(f.b, f.unit, f.precisionB), fmtDelta(f.delta, f.unit), fmtNoise(f.noise, f.unit), judged(f)]);
}

const FIGURE_HEAD = ['', 'A', 'B', 'B − A', 'noise', 'change'];
const FIGURE_ALIGN: Align[] = ['l', 'r', 'r', 'r', 'r', 'l'];

export function renderCompareText(c: RunComparison): string {
  const out: string[] = [];
  out.push(`COMPARE  ${clean(c.a.drillName)}${c.sameDrill ? '' : ` vs ${clean(c.b.drillName)}`}`);
  out.push(
    ...alignColumns(
      [
        ['A', c.a.runId, c.a.verdict.toUpperCase(), c.a.startedAt, c.a.drillName],
        ['B', c.b.runId, c.b.verdict.toUpperCase(), c.b.startedAt, c.b.drillName],
      ],
      ['l', 'l', 'l', 'l', 'l'],
    ),
  );
  out.push(`  verdict: ${clean(c.a.verdict.toUpperCase())} → ${clean(c.b.verdict.toUpperCase())}${c.verdictChanged ? '' : ' (unchanged)'}`);
  if (c.b.reason) out.push(`  B's reason: ${clean(c.b.reason)}`);
  for (const w of c.warnings) out.push(`  warning: ${clean(w)}`);

  out.push('', 'Objectives (declared bound; noise = A and B precision added: a smaller change may be measurement noise)');
  if (c.objectives.length === 0) out.push('  none declared in either run');
  else
    out.push(
      ...alignColumns(
        [
          ['', 'declared A', 'declared B', 'A', 'B', 'B − A', 'noise', 'change', 'state A → B'],
          ...c.objectives.map((o) => [
            o.label,
            fmtDeclared(o.declaredA, o.unit, o.boundA),
            fmtDeclared(o.declaredB, o.unit, o.boundB),
            fmtFigure(o.a, o.unit, o.precisionA, 'not measured'),
            fmtFigure(o.b, o.unit, o.precisionB, 'not measured'),
            fmtDelta(o.delta, o.unit),
            fmtNoise(o.noise, o.unit),
            judged(o),
            `${stateText(o.stateA)} → ${stateText(o.stateB)}`,
          ]),
        ],
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
      ),
    );

  out.push('', 'Measured');
  if (c.measured.length === 0) out.push('  nothing was measured in either run');
  else out.push(...alignColumns([FIGURE_HEAD, ...figureRows(c.measured)], FIGURE_ALIGN));

  out.push('', 'Faults (run clock, 0 = end of warm-up)');
  if (c.faults.length === 0) out.push('  no fault in either run');
  for (const f of c.faults) {
    out.push(`  #${f.index}  A: ${clean(f.whatA ?? 'none')}`, `      B: ${clean(f.whatB ?? 'none')}`);
    out.push(...alignColumns([FIGURE_HEAD, ...figureRows(f.figures)], FIGURE_ALIGN, '    '));
  }

  out.push('', eventsTitle(c));
  if (c.events.length === 0) out.push('  no event from the system in either run');
  else {
    const repeated = repeatedKeys(c);
    out.push(
      ...alignColumns(
        [
          ['event', 'A', 'B', 'shift', 'noise', 'change'],
          ...c.events.map((e) => {
            return [
              eventLabel(e.key, e.source, e.marker, e.occurrence, repeated),
              e.aMs === null ? '—' : fmtOffsetMs(e.aMs),
              e.bMs === null ? '—' : fmtOffsetMs(e.bMs),
              fmtDelta(e.shiftMs, 'ms'),
              e.noiseMs === null ? '' : `± ${fmtMs(e.noiseMs)}`,
              judged({ change: e.change, a: e.aMs }),
            ];
          }),
        ],
        ['l', 'r', 'r', 'r', 'r', 'l'],
      ),
    );
  }

  out.push('', 'Load');
  out.push(...alignColumns([FIGURE_HEAD, ...figureRows(c.load)], FIGURE_ALIGN));

  out.push('', 'Environment');
  out.push(
    ...alignColumns([['', 'A', 'B', ''], ...c.environment.filter((e) => e.a !== null || e.b !== null).map((e) => [e.label, e.a ?? '—', e.b ?? '—', e.changed ? 'changed' : ''])], ['l', 'l', 'l', 'l']),
  );
  return out.join('\n') + '\n';
}

function eventsTitle(c: RunComparison): string {
  const clock = c.eventsFromFault.a && c.eventsFromFault.b ? 'time from the first fault' : 'run clock: a run had no fault';
  return `System events (${clock}; paired by marker, then by order; noise = A and B fault-instant bounds added)`;
}

import type { ChangeKind, FigureUnit, ObjectiveStateOrNone, RunComparison } from './compare.js';
import { fmtInt, fmtMs, fmtMsPm, fmtOffsetMs } from './format.js';

// Wording shared by the text and the HTML comparison, so a terminal and a browser say the same thing.

/** A value in its unit, with its precision when it has one: "2.551 s ± 269.7 ms", "5,398". */
export function fmtFigure(v: number | null, unit: FigureUnit, precision: number | null = null, missing = '—'): string {
  if (v === null) return missing;
  if (unit === 'ms') return fmtMsPm(v, precision);
  if (unit === 'percent') return `${fmtPercent(v)} %`;
  return fmtInt(v);
}

/** 99.99975 → "99.99975": up to 6 decimals, the nines an availability is about. */
function fmtPercent(v: number): string {
  const s = v.toFixed(6);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** b − a with its sign: "+1.25 s", "−40 ms", "+25", "0". */
export function fmtDelta(delta: number | null, unit: FigureUnit): string {
  if (delta === null) return '—';
  if (delta === 0) return unit === 'ms' ? '0 ms' : '0';
  if (unit === 'ms') return fmtOffsetMs(delta);
  if (unit === 'percent') return `${delta < 0 ? '−' : '+'}${fmtPercent(Math.abs(delta))} %`;
  return `${delta < 0 ? '−' : '+'}${fmtInt(Math.abs(delta))}`;
}

/** The combined precision a delta is judged by: "± 539.4 ms", "exact", or '' when there is none. */
export function fmtNoise(noise: number | null, unit: FigureUnit): string {
  if (noise === null) return '';
  if (noise === 0) return 'exact';
  return unit === 'ms' ? `± ${fmtMs(noise)}` : unit === 'percent' ? `± ${fmtPercent(noise)} %` : `± ${fmtInt(noise)}`;
}

/** The judgement of a change in words; `a` missing tells which side a one-sided value is on. */
export function changeText(change: ChangeKind, aMissing: boolean): string {
  switch (change) {
    case 'same':
      return 'same';
    case 'within-noise':
      return 'within noise';
    case 'significant':
      return 'significant';
    case 'changed':
      return 'changed';
    case 'one-sided':
      return aMissing ? 'only in B' : 'only in A';
  }
}

export function stateText(state: ObjectiveStateOrNone): string {
  return state === 'not-measured' ? 'not measured' : state === 'not-declared' ? 'not declared' : state;
}

/** "≤ 10 s", "≥ 99.99 %" for a minimum, or "—" when the run did not declare it. */
export function fmtDeclared(v: number | null, unit: FigureUnit, bound: 'max' | 'min' = 'max'): string {
  return v === null ? '—' : `${bound === 'min' ? '≥' : '≤'} ${fmtFigure(v, unit)}`;
}

/** Keys that occur more than once in a run: their rows are numbered (#1, #2...). */
export function repeatedKeys(c: Pick<RunComparison, 'events'>): Set<string> {
  return new Set(c.events.filter((e) => e.occurrence > 1).map((e) => e.key));
}

/** "sentinel sdown #2", "docker: engine event kill (signal #)". */
export function eventLabel(key: string, source: string, marker: string | null, occurrence: number, repeated: ReadonlySet<string>): string {
  const name = marker ? `${source} ${key}` : key;
  return repeated.has(key) ? `${name} #${occurrence}` : name;
}

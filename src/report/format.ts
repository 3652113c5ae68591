// Number formatting shared by the HTML report and the terminal summary. Inputs may come from a
// result.json on disk, so every function tolerates a non-number (it prints "—").

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** 2300 → "2.3 s", 2345 → "2.345 s", 12.5 → "12.5 ms", 0.25 → "0.25 ms". */
export function fmtMs(ms: unknown): string {
  if (!isNum(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs >= 60_000) return `${trimZeros((ms / 1000).toFixed(1))} s`;
  if (abs >= 1000) return `${trimZeros((ms / 1000).toFixed(3))} s`;
  if (abs >= 10 || abs === 0) return `${trimZeros(ms.toFixed(1))} ms`;
  return `${trimZeros(ms.toFixed(2))} ms`;
}

/** Signed offset from the fault: "+1.25 s", "−40 ms". */
export function fmtOffsetMs(ms: unknown): string {
  if (!isNum(ms)) return '—';
  return `${ms < 0 ? '−' : '+'}${fmtMs(Math.abs(ms))}`;
}

/** A time with its precision: "2.3 s ± 3.5 ms". */
export function fmtMsPm(ms: unknown, precisionMs: unknown): string {
  if (!isNum(ms)) return '—';
  return isNum(precisionMs) && precisionMs > 0 ? `${fmtMs(ms)} ± ${fmtMs(precisionMs)}` : fmtMs(ms);
}

/** 1234567 → "1,234,567". */
export function fmtInt(n: unknown): string {
  if (!isNum(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

export const OBJECTIVE_LABELS: Record<string, string> = {
  rtoMs: 'RTO',
  downtimeMs: 'Downtime',
  lostWrites: 'Lost writes',
  rpoMs: 'RPO',
  unexpectedWrites: 'Unexpected writes',
  availability: 'Availability',
  withinMs: 'Within',
  errantTransactions: 'Errant transactions',
  readRtoMs: 'Read RTO',
  readDowntimeMs: 'Read downtime',
  staleReads: 'Stale reads',
  readYourWrites: 'Read-your-writes violations',
  dirtyReads: 'Dirty reads',
  restoreTimeMs: 'Restore time',
  backupAgeMs: 'Backup age',
};

/** An objective's name in words, with its event when it judges one: "RTO", "event 2 switchover: RTO". */
export function objectiveLabel(o: { name: unknown; event?: unknown }, events: readonly { index: number; kind: string }[] | undefined): string {
  const label = OBJECTIVE_LABELS[String(o.name)] ?? String(o.name);
  if (typeof o.event !== 'number') return label;
  const kind = events?.find((e) => e.index === o.event)?.kind;
  return `event ${o.event}${kind ? ` ${kind}` : ''}: ${label}`;
}

/** An objective's value in its unit. */
export function fmtValue(v: unknown, unit: unknown, precisionMs?: unknown): string {
  if (unit === 'percent') return fmtPercent(v);
  return unit === 'ms' ? fmtMsPm(v, precisionMs) : fmtInt(v);
}

/** "99.99997 %": enough decimals to tell the nines apart, trailing zeros dropped. */
export function fmtPercent(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${Number(v.toFixed(5))} %` : '—';
}

/** An objective's declared bound: "≤ 10 s", "≥ 99.99 %" (availability is a floor). */
export function fmtDeclared(o: { declared: unknown; unit: unknown; bound?: unknown }): string {
  return `${o.bound === 'min' ? '≥' : '≤'} ${fmtValue(o.declared, o.unit)}`;
}

import { fmtInt } from '../report/format.js';
import type { Paint, Tone } from '../report/summary-text.js';
import type { LiveEvent, LiveFault } from '../run/live-view.js';
import { assertNever } from '../util/assert-never.js';
import type { ProgressNotice, ProgressPhase, ProgressView } from './progress-state.js';
import { displayWidth, printable, truncateToWidth } from './text-width.js';

// What the progress shows, as text. Pure functions of the view: the live line (one terminal row, never
// wider than the terminal) and the plain lines (one per notice, for logs and pipes).

/** What each phase does, for the plain line that says it started. */
const PHASE_TEXT: Record<ProgressPhase, string> = {
  preflight: 'checking the engine, leftovers and images',
  up: 'starting the stack and waiting until it is ready',
  warmup: 'load started, warming up',
  steps: 'running the steps',
  load: 'the rest of the load',
  verify: 'reading the writes back from every node',
  down: 'healing what is left, tearing down',
  report: 'writing the reports',
};

interface Segment {
  text: string;
  tone?: Tone;
}

const SEPARATOR = ' | ';
const COMPACT_SEPARATOR = '  ';

/** Elapsed time as m:ss: unlike "12.3 s", never mistaken for a time of the drill file (`at: 5s`). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}

/** A fault and its state; `short`: without its time and node, for a narrow terminal. */
export function faultText(f: LiveFault, short = false): string {
  // A partition names its groups, not one target.
  const what = f.target === 'groups' ? f.fault : `${f.fault} ${f.target}`;
  const where = (node: string) => (short || f.target === 'groups' || node === f.target ? '' : ` (${node})`);
  const at = short ? ' ' : ` at ${seconds(f.atMs)} → `;
  switch (f.state) {
    case 'pending':
      return `${what}${at}in ${seconds(f.inMs)}`;
    case 'injecting':
      return `${what}${at}injecting`;
    case 'in-effect':
      return `${what}${where(f.node)}${at}in effect`;
    case 'healed':
      return `${what}${where(f.node)}${at}healed`;
    case 'skipped':
      return `${what}${at}not injected`;
    default:
      return assertNever(f, 'fault state');
  }
}

function faultTone(f: LiveFault): Tone | undefined {
  switch (f.state) {
    case 'in-effect':
    case 'injecting':
      return 'warn';
    case 'healed':
      return 'good';
    case 'pending':
    case 'skipped':
      return undefined;
    default:
      return assertNever(f, 'fault state');
  }
}

/** "sentinel-2: +switch-master …", "runbook: promoted db-2 …": the source is said unless the message starts with it. */
export function eventText(e: LiveEvent): string {
  return printable(e.message.startsWith(e.source) ? e.message : `${e.source}: ${e.message}`);
}

/** The pieces of the line; `compact` for a narrow terminal: no padding, fewer counts, the fault in short. */
function segments(view: ProgressView, compact: boolean): Segment[] {
  const out: Segment[] = [{ text: `${compact ? view.phase : view.phase.padEnd(9)} ${clock(view.elapsedMs)}` }];
  const w = view.writes;
  if (w && !compact) out.push({ text: `writes ${fmtInt(w.sent)} sent, ${fmtInt(w.ok)} ok, ${fmtInt(w.failed)} failed, ${fmtInt(w.unknown)} unknown` });
  // Compact: the outcomes only (sent is their sum and those in flight), the zero ones left out.
  if (w && compact) out.push({ text: [`${fmtInt(w.ok)} ok`, w.failed ? `${fmtInt(w.failed)} failed` : '', w.unknown ? `${fmtInt(w.unknown)} unknown` : ''].filter(Boolean).join(' ') });
  if (view.outageMs !== null) out.push({ text: `outage ${seconds(view.outageMs)}`, tone: 'bad' });
  if (view.fault) {
    const tone = faultTone(view.fault);
    const text = printable(faultText(view.fault, compact));
    out.push(tone ? { text, tone } : { text });
  }
  if (view.event) out.push({ text: eventText(view.event) });
  return out;
}

/** The segments joined and cut with "…" to `room` columns, then painted (the codes take no column). */
function fit(parts: Segment[], separator: string, room: number, paint: Paint): string {
  let line = '';
  for (const [i, segment] of parts.entries()) {
    const sep = i === 0 ? '' : separator;
    // Not even the separator and one character: stop here rather than end on a dangling separator.
    if (i > 0 && room < displayWidth(sep) + 2) break;
    const text = truncateToWidth(segment.text, room - displayWidth(sep));
    if (text === '') break;
    line += sep + (segment.tone ? paint(segment.tone, text) : text);
    room -= displayWidth(sep) + displayWidth(text);
    if (text !== segment.text) break;
  }
  return line;
}

const width = (parts: Segment[], separator: string) => parts.reduce((sum, p, i) => sum + displayWidth(p.text) + (i ? displayWidth(separator) : 0), 0);

/**
 * The live line: phase, elapsed, writes, outage, fault, the system's latest event, in that order of
 * importance, within `columns` − 1 (a line as wide as the terminal wraps on some terminals). When the
 * full line does not fit, the compact one (80 columns hold phase, writes, outage and fault); what still
 * does not fit is cut from the end with "…".
 */
export function renderProgressLine(view: ProgressView, columns: number, paint: Paint): string {
  const room = Math.max(0, columns - 1);
  const full = segments(view, false);
  if (width(full, SEPARATOR) <= room) return fit(full, SEPARATOR, room, paint);
  return fit(segments(view, true), COMPACT_SEPARATOR, room, paint);
}

/** A plain line for a notice: `drill 0:12 fault: kill primary (redis-1) at 5.0 s → in effect`. */
export function renderNotice(notice: ProgressNotice, prefix: string): string {
  const head = `${printable(prefix)} ${clock(notice.atMs)} `;
  switch (notice.kind) {
    case 'phase':
      return `${head}${notice.phase}: ${PHASE_TEXT[notice.phase]}`;
    case 'fault':
      return `${head}fault: ${printable(faultText(notice.fault))}`;
    case 'failing':
      return `${head}writes: failing`;
    case 'recovered':
      return `${head}writes: ok again, after about ${seconds(notice.outageMs)} of failures`;
    default:
      return assertNever(notice, 'progress notice');
  }
}

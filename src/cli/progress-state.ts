import type { PhaseName } from '../run/journal.js';
import type { LiveEvent, LiveFault, LiveWrites, RunSnapshot } from '../run/live-view.js';

// From successive snapshots of a run (read a few times a second) to what the progress shows: the view
// for the live line, and the notices for plain lines (a phase starts, a fault changes state, writes
// start failing or succeed again). Pure: the same snapshots give the same output, which the tests use.
//
// The outage is seen from the counters between two reads, not per write: writes are failing when failed
// or unknown writes grew and ok writes did not; they are ok again at the first read where ok writes grew
// and nothing failed. Its length runs from the last read where ok writes grew, so it is as precise as the
// reading interval; the report's RTO and downtime are the measured ones.

/** A run's phases, and the reports written after them. */
export type ProgressPhase = PhaseName | 'report';

export interface ProgressView {
  phase: ProgressPhase;
  elapsedMs: number;
  writes: LiveWrites | null;
  /** How long writes have been failing (since the last ok write), while they are and the load runs; else null. */
  outageMs: number | null;
  /** The fault to show: the one in effect, else the next one due, else the last one. */
  fault: LiveFault | null;
  event: LiveEvent | null;
}

export type ProgressNotice =
  { kind: 'phase'; phase: ProgressPhase; atMs: number } | { kind: 'fault'; fault: LiveFault; atMs: number } | { kind: 'failing'; atMs: number } | { kind: 'recovered'; atMs: number; outageMs: number };

/** What the reader remembers between two snapshots. */
export interface ProgressMemory {
  phasesSeen: number;
  finishedSeen: boolean;
  faultStates: readonly LiveFault['state'][];
  ok: number;
  bad: number;
  /** When ok writes last grew (ms since the run started); null before the load. */
  lastOkAtMs: number | null;
  /** When the current outage began (the last ok before it); null while writes are fine. */
  outageFromMs: number | null;
}

export const NO_MEMORY: ProgressMemory = { phasesSeen: 0, finishedSeen: false, faultStates: [], ok: 0, bad: 0, lastOkAtMs: null, outageFromMs: null };

/** The load runs in these phases: an outage is shown only then (afterwards the counters stand still). */
const LOAD_PHASES: ReadonlySet<ProgressPhase> = new Set(['warmup', 'steps', 'load']);

export function readSnapshot(memory: ProgressMemory, snap: RunSnapshot): { memory: ProgressMemory; view: ProgressView; notices: ProgressNotice[] } {
  const now = snap.elapsedMs;
  const notices: ProgressNotice[] = [];
  for (const p of snap.phases.slice(memory.phasesSeen)) notices.push({ kind: 'phase', phase: p.phase, atMs: p.atMs });
  if (snap.finished && !memory.finishedSeen) notices.push({ kind: 'phase', phase: 'report', atMs: now });

  // A fault is told when it is in place, healed, or will not happen; not while it waits or is being injected.
  snap.faults.forEach((fault, i) => {
    if (fault.state !== memory.faultStates[i] && (fault.state === 'in-effect' || fault.state === 'healed' || fault.state === 'skipped')) notices.push({ kind: 'fault', fault, atMs: now });
  });

  let { ok, bad, lastOkAtMs, outageFromMs } = memory;
  const w = snap.writes;
  if (w) {
    const okGrew = w.ok > ok;
    const badGrew = w.failed + w.unknown > bad;
    // The load has just started: nothing has failed "since" before it.
    lastOkAtMs ??= now;
    if (outageFromMs === null && badGrew && !okGrew) {
      outageFromMs = lastOkAtMs;
      notices.push({ kind: 'failing', atMs: now });
    } else if (outageFromMs !== null && okGrew && !badGrew) {
      notices.push({ kind: 'recovered', atMs: now, outageMs: now - outageFromMs });
      outageFromMs = null;
    }
    if (okGrew) lastOkAtMs = now;
    ok = w.ok;
    bad = w.failed + w.unknown;
  }

  const phase: ProgressPhase = snap.finished ? 'report' : (snap.phases.at(-1)?.phase ?? 'preflight');
  const view: ProgressView = {
    phase,
    elapsedMs: now,
    writes: w,
    outageMs: outageFromMs !== null && LOAD_PHASES.has(phase) ? now - outageFromMs : null,
    fault: faultToShow(snap.faults),
    event: snap.event,
  };
  return {
    memory: { phasesSeen: snap.phases.length, finishedSeen: snap.finished, faultStates: snap.faults.map((f) => f.state), ok, bad, lastOkAtMs, outageFromMs },
    view,
    notices,
  };
}

/** The newest fault in effect (or being injected), else the next one due, else the last one. */
export function faultToShow(faults: readonly LiveFault[]): LiveFault | null {
  const active = faults.filter((f) => f.state === 'in-effect' || f.state === 'injecting').at(-1);
  return active ?? faults.find((f) => f.state === 'pending') ?? faults.at(-1) ?? null;
}

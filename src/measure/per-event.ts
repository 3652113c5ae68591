import type { WriteRecord } from '../load/history.js';
import { firstIndexAtOrAfter } from './order.js';
import type { ProbeNormal } from './probe-edges.js';
import type { RecoveryFloor } from './recovery-floor.js';
import { findRecovery } from './recovery.js';
import { roundMs } from './round.js';
import type { EventMeasured, EventRecord } from './types.js';

// Each event of the drill measured on its own (docs/design.md "Events"): a kill, the switchover that
// follows its recovery, the failback after the rejoin. The drill's own figures (measure.ts) stay
// measured from the first event; these rows say what each one cost.

export interface PerEventInput {
  /** The declared load's writes in invoke order. */
  sorted: readonly WriteRecord[];
  /** In the order they began. */
  events: readonly EventRecord[];
  presentIds: ReadonlySet<number> | null;
  stableMs: number;
  timerResolutionMs: number;
  /** Normal ok-write latency (p99 before the first event). */
  baselineLatencyMs: number;
  baselineMinLatencyMs?: number;
  probes?: readonly WriteRecord[];
  probeNormal?: ProbeNormal;
  /** The system's record of when writes could be acknowledged again (recovery-floor.ts): it narrows the recovery of the event it falls in. */
  floor?: RecoveryFloor;
}

/**
 * Per event i, starting at s(i), with the next starting at s(i+1) (∞ for the last):
 * - its window of writes is [s(i), s(i+1)): sent, failed and unknown count there;
 * - its recovery: the first stable recovery after its first failed write, when that write was sent in its
 *   window (none: RTO 0). The search runs on past the window: an event still recovering when the next
 *   one began shares the recovery with it (overlappedBy says so);
 * - its lost writes: acknowledged writes missing after the drill, acked after the previous event had
 *   recovered and up to its own recovery (writes acked before a kill and never replicated are the kill's;
 *   writes acked by a doomed primary during the outage too).
 * O(n) per event over the writes after it.
 */
export function measureEvents(input: PerEventInput): EventMeasured[] {
  const { sorted, presentIds } = input;
  const events = [...input.events].sort((a, b) => a.startMs - b.startMs);
  const rows: EventMeasured[] = [];
  let fromMs = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const nextStartMs = events[i + 1]?.startMs ?? Number.POSITIVE_INFINITY;
    // The writes since the previous event had recovered (or began, if it had not by this one's start).
    const a = firstIndexAtOrAfter(sorted, fromMs <= e.startMs ? fromMs : (rows.at(-1)?.startMs ?? Number.NEGATIVE_INFINITY));
    const w0 = firstIndexAtOrAfter(sorted, e.startMs);
    const w1 = firstIndexAtOrAfter(sorted, nextStartMs);
    let failedWrites = 0;
    let unknownWrites = 0;
    let firstFailure = -1;
    for (let k = w0; k < w1; k++) {
      const outcome = sorted[k]!.outcome;
      if (outcome === 'ok') continue;
      if (firstFailure < 0) firstFailure = k;
      if (outcome === 'fail') failedWrites++;
      else unknownWrites++;
    }
    // Without a failure in its window the recovery search stops at the window's end (a later event's
    // failures are not this one's); with one it runs on to wherever writes recovered.
    const recovery = findRecovery({
      sorted: sorted.slice(a, firstFailure < 0 ? w1 : sorted.length),
      tFaultMs: e.startMs,
      injectMs: e.injectMs,
      stableMs: input.stableMs,
      timerResolutionMs: input.timerResolutionMs,
      baselineLatencyMs: input.baselineLatencyMs,
      ...(input.baselineMinLatencyMs === undefined ? {} : { baselineMinLatencyMs: input.baselineMinLatencyMs }),
      ...(input.probes ? { probes: input.probes } : {}),
      ...(input.probeNormal ? { probeNormal: input.probeNormal } : {}),
      ...(e.healedAtMs === undefined ? {} : { healedAtMs: e.healedAtMs }),
      ...(input.floor ? { floor: input.floor } : {}),
      ...(Number.isFinite(nextStartMs) ? { relapseUntilMs: nextStartMs } : {}),
    });
    // Hit while the previous event's writes were still failing: those failures are that event's, not a sign of an unhealthy start.
    const hitDuringPrevious = rows.at(-1)?.overlappedBy === i + 1;
    const notes = recovery.notes.filter((n) => !n.startsWith('writes recovered at') && !(hitDuringPrevious && /^\d+ writes (failed before the fault|in flight when the fault)/.test(n)));
    if (hitDuringPrevious) notes.push(`it began while writes were still failing from event ${i} (the earlier failures are event ${i}'s)`);
    const overlapped = recovery.recoveredAtMs !== null && recovery.recoveredAtMs > nextStartMs;
    const neverRecovered = firstFailure >= 0 && recovery.recoveredAtMs === null;
    if (overlapped || (neverRecovered && i + 1 < events.length)) {
      notes.push(`event ${i + 2} began at ${roundMs(nextStartMs)} ms, before writes had recovered from this one: ${overlapped ? 'they share the recovery' : 'neither recovered'}`);
    }
    const rtoMs = firstFailure < 0 ? 0 : recovery.rtoMs;
    rows.push({
      index: i + 1,
      kind: e.kind,
      step: e.step,
      label: e.label,
      startMs: roundMs(e.startMs),
      endMs: roundMs(e.endMs),
      windowEndMs: roundMs(Number.isFinite(nextStartMs) ? nextStartMs : (sorted.at(-1)?.invokeMs ?? e.endMs)),
      sentWrites: w1 - w0,
      failedWrites,
      unknownWrites,
      lostWrites: null,
      rtoMs,
      downtimeMs: firstFailure < 0 ? 0 : recovery.downtimeMs,
      precisionMs: recovery.precisionMs,
      firstFailureAtMs: firstFailure < 0 ? null : recovery.firstFailureAtMs,
      recoveredAtMs: firstFailure < 0 ? null : recovery.recoveredAtMs,
      withinMs: withinOf(e),
      errantTransactions: e.rejoin ? (e.rejoin.errant?.count ?? null) : null,
      ...(e.rejoin ? { errant: e.rejoin.errant } : {}),
      overlappedBy: overlapped || (neverRecovered && i + 1 < events.length) ? i + 2 : null,
      notes,
    });
    // The next event's writes begin once this one has recovered (or, without a failure, once it is done).
    fromMs = firstFailure < 0 ? e.endMs : (recovery.recoveredAtMs ?? Number.POSITIVE_INFINITY);
  }
  attributeLost(rows, sorted, presentIds);
  return rows;
}

/** A planned operation's duration (a rejoin: until the node had caught up); null for faults and for what never finished. */
function withinOf(e: EventRecord): number | null {
  if (e.kind === 'failover') return null;
  if (e.kind === 'rejoin') return e.rejoin && e.rejoin.caughtUpAtMs !== null ? roundMs(e.rejoin.caughtUpAtMs - e.startMs) : null;
  return roundMs(e.endMs - e.startMs);
}

/**
 * Each lost write to the first event whose boundary is at or after its ack: the boundary is the event's
 * recovery, or its end when none of its writes failed, or the next event's start when writes never
 * recovered. Writes lost after the last boundary stay with no event (said in the last row's notes).
 */
function attributeLost(rows: EventMeasured[], sorted: readonly WriteRecord[], present: ReadonlySet<number> | null): void {
  if (present === null || rows.length === 0) return;
  const bounds = rows.map((r, i) => r.recoveredAtMs ?? (r.rtoMs === 0 ? r.endMs : (rows[i + 1]?.startMs ?? Number.POSITIVE_INFINITY)));
  for (let i = 1; i < bounds.length; i++) bounds[i] = Math.max(bounds[i]!, bounds[i - 1]!);
  const lost = rows.map(() => 0);
  let after = 0;
  for (const w of sorted) {
    if (w.outcome !== 'ok' || present.has(w.id)) continue;
    const i = bounds.findIndex((b) => w.completeMs <= b);
    if (i < 0) after++;
    else lost[i]!++;
  }
  rows.forEach((r, i) => (r.lostWrites = lost[i]!));
  if (after > 0) rows.at(-1)!.notes.push(`${after} lost writes were acknowledged after the last event had recovered: they are in the drill's total, in no event's`);
}

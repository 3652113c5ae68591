import type { WriteRecord } from '../load/history.js';
import { firstIndexAtOrAfter } from './order.js';
import { failureEdge, recoveryEdge, type Edge, type ProbeNormal } from './probe-edges.js';
import { floorContradictedNote, floorNote, floorRecovery, type EarliestAck, type FloorOutcome, type RecoveryFloor } from './recovery-floor.js';
import { ceilMs, roundLatencyMs, roundMs } from './round.js';

export interface RecoveryInput {
  /** Invoke-ordered history (see order.ts). */
  sorted: readonly WriteRecord[];
  /** t_fault: start of the first injecting call, or null if no fault was injected. */
  tFaultMs: number | null;
  /** Duration of the injecting call (injectReturnedAtMs − injectedAtMs). */
  injectMs: number;
  stableMs: number;
  timerResolutionMs: number;
  /** Normal ok-write latency (p99 before the fault): the longest a write takes when nothing is wrong. */
  baselineLatencyMs: number;
  /** The shortest ok-write latency before the fault: no answer comes back faster (absent: taken as the p99, no span). */
  baselineMinLatencyMs?: number;
  /** The probe stream's writes in invoke order (empty or absent: no probe stream); they narrow the two edges. */
  probes?: readonly WriteRecord[];
  /** The probes' normal latency (see probe-edges.ts). */
  probeNormal?: ProbeNormal;
  /**
   * The earliest the fault's heal took effect (unpause: the thaw seen in the freezer, else the call's start;
   * heal of a partition, restart: the call's start), when drill lifted it: a system that comes back works
   * off the requests queued in the outage first, which can take longer than a normal latency.
   */
  healedAtMs?: number;
  /** The system's own record that no write was acknowledged before a moment (recovery-floor.ts): it narrows the recovery edge. */
  floor?: RecoveryFloor;
  /**
   * Until when a write failing after a stable recovery is a relapse of this outage (the next event's start;
   * absent: the load's end). Later failures are the next event's.
   */
  relapseUntilMs?: number;
}

/** The bound for relapses of an outage that began at afterMs: the first of startsMs after it (none: the load's end). */
export function relapseBound(startsMs: readonly number[], afterMs: number): { relapseUntilMs?: number } {
  const next = Math.min(...startsMs.filter((t) => t > afterMs));
  return Number.isFinite(next) ? { relapseUntilMs: next } : {};
}

/** Writes failed again after a stable recovery, before the event's window ended. */
export interface Relapse {
  /** Send of the first write of the stable window that did not last. */
  stableFromMs: number;
  /** Send of the first write that failed again. */
  failedAgainAtMs: number;
  /** Non-ok writes sent from then until the next stable window began (or the load's end). */
  failedWrites: number;
}

export interface PrecisionParts {
  /**
   * The send gap in the bound: the wider of the two edges' brackets, the declared load's (recovery: from
   * its last failed send to the recovering write's send; outage start: from its last good send, or
   * t_fault, to the first failed one) or, with the probe stream, what is left of them after the probes
   * narrowed them (half of it when a drained queue puts the recovery at the middle: probe-edges.ts). Never recovered: the outage start's bracket; no write failed: the largest gap between sends around t_fault.
   */
  gapMs: number;
  /** Where gapMs comes from: the load's brackets, the probe stream's, or a recovery floor from the system's own record (then gapMs is the wider of the outage start's bracket and half the floored recovery span). */
  gapFrom: 'load' | 'probe' | 'system';
  /** The recovery floor that narrowed the recovery edge, when gapFrom is 'system'. */
  floor?: { atMs: number; why: string };
  /** The declared load's own gap (what gapMs would be without the probe stream). */
  loadGapMs: number;
  timerResolutionMs: number;
  /** Duration of the injecting call: the fault took effect somewhere inside it. */
  injectMs: number;
  /**
   * What the recovering write's own latency leaves open. When it waited out the outage in a queue: half the
   * span its ack allows for the recovery, [ack − p99, ack − the shortest latency] before the fault (recovery
   * is its middle). Otherwise its latency beyond the shortest: counted from its send, it may have waited
   * that long before the system could serve it.
   */
  queueMs?: number;
}

export interface Recovery {
  rtoMs: number | null;
  downtimeMs: number | null;
  firstFailureAtMs: number | null;
  recoveredAtMs: number | null;
  precisionMs: number;
  precision: PrecisionParts;
  /** Non-ok writes that completed before t_fault (warm-up trouble): not part of the outage. */
  failuresBeforeFault: number;
  /** Non-ok writes sent before t_fault that completed after it: casualties of the fault, not counted in downtime. */
  inFlightAtFault: number;
  recoveryWrite: { id: number; invokeMs: number; latencyMs: number } | null;
  /** What the recovery floor did, when there was one for this recovery. */
  floor?: FloorOutcome;
  /** Outages after a stable recovery (the recovery is the one after the last of them). */
  relapses: Relapse[];
  notes: string[];
}

/** Below this, moving the recovery point off the recovering write's start is jitter, not worth a note. */
const ADJUST_NOTE_MS = 1;

/**
 * RTO and downtime from the client's view (docs/design.md "Measurement semantics").
 *
 * - first failure: the first non-ok (fail or unknown) write sent at or after t_fault.
 * - recovery: the first ok write c after it such that every write sent in [c.invoke, c.invoke + stableMs)
 *   completed ok. The window must be observed to its end: some write must have been sent at or after
 *   c.invoke + stableMs. If the load ends inside the window, writes are NOT called recovered (null + a note):
 *   a run that stopped before recovery was shown stable must not pass an RTO objective.
 * - recovered at: c's start, unless c took longer than a normal write (p99 before the fault): then its
 *   completion minus that normal latency. A write queued in the client during the outage and flushed on
 *   reconnect is not evidence the system was up when it was queued (the "success counted at its start hid
 *   a 25 s outage" pitfall). With normal latencies this is exactly c's start.
 *
 * One pass over the writes after the fault: O(n).
 */
export function findRecovery(input: RecoveryInput): Recovery {
  const { sorted, tFaultMs, injectMs, stableMs, timerResolutionMs } = input;
  const notes: string[] = [];
  const base = { failuresBeforeFault: 0, inFlightAtFault: 0, recoveryWrite: null, relapses: [] };
  if (tFaultMs === null) {
    notes.push('no fault was injected: RTO and downtime are not measured');
    return { ...base, rtoMs: null, downtimeMs: null, firstFailureAtMs: null, recoveredAtMs: null, ...precision(loadGapAround(sorted, [], stableMs), timerResolutionMs, 0), notes };
  }

  const i0 = firstIndexAtOrAfter(sorted, tFaultMs);
  let failuresBeforeFault = 0;
  let firstEarlyFailureMs: number | null = null;
  let inFlightAtFault = 0;
  for (let i = 0; i < i0; i++) {
    const w = sorted[i]!;
    if (w.outcome === 'ok') continue;
    if (w.completeMs < tFaultMs) {
      failuresBeforeFault++;
      firstEarlyFailureMs ??= w.invokeMs;
    } else {
      inFlightAtFault++;
    }
  }
  if (failuresBeforeFault > 0) {
    notes.push(
      `${failuresBeforeFault} writes failed before the fault (first sent at ${roundMs(firstEarlyFailureMs!)} ms): ` +
        'the system was not healthy when the fault was injected; these are not counted in downtime',
    );
  }
  if (inFlightAtFault > 0) {
    notes.push(`${inFlightAtFault} writes in flight when the fault was injected did not succeed (sent before t_fault, so not part of downtime)`);
  }
  const early = { failuresBeforeFault, inFlightAtFault };

  if (i0 >= sorted.length) {
    notes.push('no write was sent after the fault: RTO and downtime cannot be measured');
    return {
      ...base,
      ...early,
      rtoMs: null,
      downtimeMs: null,
      firstFailureAtMs: null,
      recoveredAtMs: null,
      ...precision(loadGapAround(sorted, [tFaultMs], stableMs), timerResolutionMs, injectMs),
      notes,
    };
  }

  let f = i0;
  while (f < sorted.length && sorted[f]!.outcome === 'ok') f++;
  if (f >= sorted.length) {
    const last = sorted[sorted.length - 1]!;
    notes.push(`no write failed after the fault (${sorted.length - i0} writes sent from ${roundMs(sorted[i0]!.invokeMs)} ms to ${roundMs(last.invokeMs)} ms all succeeded): RTO 0, downtime 0`);
    const loadGapMs = loadGapAround(sorted, [tFaultMs], stableMs);
    const quiet = quietProbes(input.probes ?? [], tFaultMs, stableMs, last.invokeMs);
    const probeGapMs = quiet?.kind === 'quiet' && quiet.gapMs < loadGapMs ? quiet.gapMs : null;
    if (quiet?.kind === 'failed')
      notes.push(
        `the probe stream had ${quiet.failed} failed writes from ${roundMs(quiet.fromMs)} ms to ${roundMs(quiet.toMs)} ms: the system stalled longer than the probes' timeout but not the declared load's`,
      );
    if (probeGapMs !== null)
      notes.push(
        `probe stream: none of its writes failed either, and its sends were at most ${roundLatencyMs(probeGapMs)} ms apart (the load's ${roundLatencyMs(loadGapMs)} ms): a longer outage would have failed one`,
      );
    return { ...base, ...early, rtoMs: 0, downtimeMs: 0, firstFailureAtMs: null, recoveredAtMs: null, ...precision(loadGapMs, timerResolutionMs, injectMs, probeGapMs), notes };
  }
  const firstFailure = sorted[f]!;

  // A window that held and then failed again was stable, the system was not (a Patroni leader cut off keeps
  // acknowledging, then demotes itself seconds later): the recovery is the one after the last relapse.
  let { candidate, confirmed } = stableWindow(sorted, f + 1, stableMs);
  const relapses: Relapse[] = [];
  while (confirmed >= 0) {
    const again = firstFailureFrom(sorted, confirmed + 1, input.relapseUntilMs ?? Number.POSITIVE_INFINITY);
    if (again < 0) break;
    const next = stableWindow(sorted, again + 1, stableMs);
    const end = next.confirmed >= 0 ? next.confirmed : next.candidate >= 0 ? next.candidate : sorted.length;
    relapses.push({ stableFromMs: roundMs(sorted[confirmed]!.invokeMs), failedAgainAtMs: roundMs(sorted[again]!.invokeMs), failedWrites: nonOkIn(sorted, again, end) });
    ({ candidate, confirmed } = next);
  }
  for (const r of relapses) notes.push(relapseNote(r, stableMs));
  const withRelapses = { ...early, relapses };

  if (confirmed < 0) {
    const last = sorted[sorted.length - 1]!;
    if (candidate >= 0) {
      const c = sorted[candidate]!;
      notes.push(
        `writes succeeded from ${roundMs(c.invokeMs)} ms until the load ended (last write sent at ${roundMs(last.invokeMs)} ms), ` +
          `less than the ${stableMs} ms stable window: not counted as recovered. Run the load longer after the fault.`,
      );
    } else {
      const fromMs = relapses.at(-1)?.failedAgainAtMs ?? firstFailure.invokeMs;
      notes.push(`writes never recovered: from the ${relapses.length > 0 ? 'last relapse' : 'first failure'} at ${roundMs(fromMs)} ms to the end of the load no ${stableMs} ms window was all ok`);
    }
    // Only the outage's start is measured: it lies in the load's bracket (its last good send, or t_fault,
    // to its first failure), narrowed by the probes' failure edge when they sent inside it.
    const goodBefore = Math.max(tFaultMs, f > 0 ? sorted[f - 1]!.invokeMs : tFaultMs);
    const loadGapMs = firstFailure.invokeMs - goodBefore;
    const probes = input.probes ?? [];
    const k = firstIndexAtOrAfter(probes, goodBefore);
    const edge = k < probes.length && probes[k]!.invokeMs <= firstFailure.invokeMs ? failureEdge(probes, goodBefore, firstFailure.invokeMs) : null;
    const probeStart = edge && edge.gapMs < loadGapMs ? edge : null;
    if (probeStart)
      notes.push(`probe stream: outage start at ${roundMs(probeStart.atMs)} ms (the load said ${roundMs(firstFailure.invokeMs)} ms; bracket left ${roundLatencyMs(probeStart.gapMs)} ms)`);
    return {
      ...base,
      ...withRelapses,
      rtoMs: null,
      downtimeMs: null,
      firstFailureAtMs: roundMs(probeStart?.atMs ?? firstFailure.invokeMs),
      recoveredAtMs: null,
      ...precision(loadGapMs, timerResolutionMs, injectMs, probeStart?.gapMs ?? null),
      notes,
    };
  }

  const c = sorted[confirmed]!;
  const latencyMs = c.completeMs - c.invokeMs;
  // A recovering write that took longer than a normal one waited out the outage in a queue: the system came
  // back between its ack minus a normal latency (p99) and its ack minus the shortest one; the middle, ± half.
  // When drill lifted the fault before that ack, from the heal on: the queue drained first, and its drain is
  // not bounded by a normal latency (a Redis master thawed after 1.3 s answered its backlog over ~40 ms).
  const queued = c.completeMs - input.baselineLatencyMs > c.invokeMs;
  const drainFromMs = queued && input.healedAtMs !== undefined && input.healedAtMs < c.completeMs ? input.healedAtMs : Number.POSITIVE_INFINITY;
  const queueLo = Math.max(c.invokeMs, Math.min(c.completeMs - input.baselineLatencyMs, drainFromMs));
  const queueHi = queued ? Math.max(queueLo, c.completeMs - Math.min(input.baselineMinLatencyMs ?? input.baselineLatencyMs, input.baselineLatencyMs)) : queueLo;
  const loadRecoveredAt = (queueLo + queueHi) / 2;
  // Within a normal latency the write is counted from its send, yet it may still have waited up to its
  // latency beyond the shortest before the system could serve it (a CI run on a busy host: sent 19 ms
  // before HAProxy put the promoted node in, answered within the inflated p99): that wait is in the bound.
  const queueMs = queued ? (queueHi - queueLo) / 2 : Math.max(0, latencyMs - Math.min(input.baselineMinLatencyMs ?? input.baselineLatencyMs, input.baselineLatencyMs));
  if (loadRecoveredAt - c.invokeMs >= ADJUST_NOTE_MS) {
    const shortestMs = roundLatencyMs(input.baselineMinLatencyMs ?? input.baselineLatencyMs);
    const how =
      queueLo < c.completeMs - input.baselineLatencyMs
        ? `drill's heal of the fault took effect from ${roundMs(queueLo)} ms and a queue drains first, which can take longer than a normal latency: recovery lies between then and its ack minus the shortest latency (${shortestMs} ms), counted at the middle (± ${roundLatencyMs(queueMs)} ms in the precision)`
        : `recovery is counted from its ack minus a normal latency (between p99 and the shortest, ${shortestMs} ms: ± ${roundLatencyMs(queueMs)} ms in the precision)`;
    notes.push(
      `the first write of the stable window (id ${c.id}, sent at ${roundMs(c.invokeMs)} ms) took ${roundLatencyMs(latencyMs)} ms against a normal ` +
        `${roundLatencyMs(input.baselineLatencyMs)} ms (p99 before the fault): it probably waited out the outage in a queue, so ${how}`,
    );
  }
  notes.push(`writes recovered at ${roundMs(loadRecoveredAt)} ms: every write sent in the following ${stableMs} ms succeeded`);
  // The declared load's brackets of the two edges: (its last failed send before c, c's ack] and (its last
  // good send before the first failure, or t_fault, the first failure].
  const failedBefore = sorted[confirmed - 1]!.invokeMs;
  const goodBefore = Math.max(tFaultMs, f > 0 ? sorted[f - 1]!.invokeMs : tFaultMs);
  // The load's gap is the wider of the two brackets: the sends on either side of each edge are what
  // bound it, not the largest silence anywhere near (a stall a second away bounds nothing here).
  const loadGapMs = Math.max(c.invokeMs - failedBefore, firstFailure.invokeMs - goodBefore);
  const found = probeEdges(input, goodBefore, firstFailure.invokeMs, failedBefore, loadRecoveredAt, c.completeMs);
  const foundGapMs = found ? Math.max(found.recovery.gapMs, found.failure.gapMs) : null;
  // The tighter of the two, each with all it owes (the load's queue term too): probes slowed down with
  // everything else on a starved host bound the edges less well than the load.
  const edges = found && foundGapMs! < loadGapMs + queueMs ? found : null;
  if (found && !edges)
    notes.push(`probe stream: its edges (uncertain by ${roundLatencyMs(foundGapMs!)} ms) were no tighter than the load's (${roundLatencyMs(loadGapMs + queueMs)} ms): the load's are used`);
  let recoveredAt = edges?.recovery.atMs ?? loadRecoveredAt;
  const firstFailureAt = edges?.failure.atMs ?? firstFailure.invokeMs;
  if (edges) notes.push(probeNote(edges, loadRecoveredAt, firstFailure.invokeMs));
  let stated = precision(loadGapMs, timerResolutionMs, injectMs, edges ? foundGapMs : null, edges ? 0 : queueMs);
  let floorOutcome: FloorOutcome | undefined;
  if (input.floor) {
    // The recovery edge as the client's view puts it: the probes' span, or the load's (its last failed
    // send to its recovering write's send plus what its latency leaves open; queued: the queue's span).
    const span = edges?.recovery.span ?? { fromMs: queued ? queueLo : failedBefore, toMs: queued ? queueHi : c.invokeMs + queueMs, ackMs: c.completeMs };
    const earliest = earliestAckAfter(sorted, input, input.floor.sinceMs);
    const floored = floorRecovery(span, input.floor, earliest);
    const failureGapMs = edges ? edges.failure.gapMs : firstFailure.invokeMs - goodBefore;
    if (floored.kind === 'narrowed') {
      const withFloor = precision(loadGapMs, timerResolutionMs, injectMs, null, 0, { gapMs: Math.max(failureGapMs, floored.gapMs), floor: input.floor });
      // Only where it is tighter: the probes' or the queue's bound may already be narrower than the floor's span.
      const tighter = withFloor.precisionMs < stated.precisionMs;
      if (tighter) {
        recoveredAt = floored.atMs;
        stated = withFloor;
        notes.push(floorNote(input.floor, floored));
      }
      floorOutcome = { ...floorOf(input.floor), effect: tighter ? 'narrowed' : 'not-tighter' };
    } else if (floored.kind === 'contradicted') {
      notes.push(floorContradictedNote(input.floor, Math.min(span.ackMs, earliest?.ackMs ?? span.ackMs)));
      floorOutcome = { ...floorOf(input.floor), effect: 'contradicted' };
    } else if (floored.kind === 'below') {
      floorOutcome = { ...floorOf(input.floor), effect: 'below' };
    }
  }
  return {
    ...withRelapses,
    rtoMs: roundMs(recoveredAt - tFaultMs),
    downtimeMs: roundMs(recoveredAt - firstFailureAt),
    firstFailureAtMs: roundMs(firstFailureAt),
    recoveredAtMs: roundMs(recoveredAt),
    recoveryWrite: { id: c.id, invokeMs: roundMs(c.invokeMs), latencyMs: roundLatencyMs(latencyMs) },
    ...stated,
    ...(floorOutcome ? { floor: floorOutcome } : {}),
    notes,
  };
}

/**
 * From index `from`: the first ok write (candidate) after which every write sent within stableMs was ok,
 * confirmed once a write was sent at or after the window's end; -1 when none (candidate: the ok run the
 * history ended in, if any).
 */
function stableWindow(sorted: readonly WriteRecord[], from: number, stableMs: number): { candidate: number; confirmed: number } {
  let candidate = -1;
  for (let k = from; k < sorted.length; k++) {
    const w = sorted[k]!;
    if (candidate >= 0 && w.invokeMs >= sorted[candidate]!.invokeMs + stableMs) return { candidate, confirmed: candidate };
    if (w.outcome !== 'ok') candidate = -1;
    else if (candidate < 0) candidate = k;
  }
  return { candidate, confirmed: -1 };
}

/** The first non-ok write from index `from` sent before untilMs; -1 when none. */
function firstFailureFrom(sorted: readonly WriteRecord[], from: number, untilMs: number): number {
  for (let k = from; k < sorted.length && sorted[k]!.invokeMs < untilMs; k++) if (sorted[k]!.outcome !== 'ok') return k;
  return -1;
}

function nonOkIn(sorted: readonly WriteRecord[], from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if (sorted[k]!.outcome !== 'ok') n++;
  return n;
}

function relapseNote(r: Relapse, stableMs: number): string {
  return (
    `writes failed again after a stable ${stableMs} ms window: ok from ${roundMs(r.stableFromMs)} ms, then ${r.failedWrites} writes failed from ${roundMs(r.failedAgainAtMs)} ms on; ` +
    'RTO is counted to the recovery after the last of these outages, and downtime from the first failure to it'
  );
}

/** The earliest ack of a declared or probe write sent after sinceMs, and the shortest normal answer of either stream. */
function earliestAckAfter(sorted: readonly WriteRecord[], input: RecoveryInput, sinceMs: number): EarliestAck | undefined {
  let ackMs = Number.POSITIVE_INFINITY;
  for (const stream of [sorted, input.probes ?? []])
    for (let k = firstIndexAtOrAfter(stream, sinceMs); k < stream.length; k++) {
      const w = stream[k]!;
      if (w.invokeMs > sinceMs && w.outcome === 'ok') ackMs = Math.min(ackMs, w.completeMs);
    }
  if (ackMs === Number.POSITIVE_INFINITY) return undefined;
  const minLatencyMs = Math.min(input.baselineMinLatencyMs ?? input.baselineLatencyMs, input.probeNormal?.minLatencyMs ?? Number.POSITIVE_INFINITY);
  return { ackMs, minLatencyMs };
}

function floorOf(floor: RecoveryFloor): { atMs: number; why: string } {
  return { atMs: roundMs(floor.atMs), why: floor.why };
}

/** Both edges narrowed by the probe stream, when it sent anything inside the outage's brackets. */
function probeEdges(
  input: RecoveryInput,
  goodBeforeMs: number,
  firstFailureMs: number,
  failedBeforeMs: number,
  loadRecoveredAtMs: number,
  recoveringAckMs: number,
): { failure: Edge; recovery: Edge } | null {
  const probes = input.probes ?? [];
  const k = firstIndexAtOrAfter(probes, goodBeforeMs);
  if (k >= probes.length || probes[k]!.invokeMs > recoveringAckMs) return null;
  return {
    failure: failureEdge(probes, goodBeforeMs, firstFailureMs),
    recovery: recoveryEdge(probes, failedBeforeMs, recoveringAckMs, loadRecoveredAtMs, input.probeNormal ?? { minLatencyMs: 0, p99LatencyMs: input.baselineLatencyMs }, input.healedAtMs),
  };
}

function probeNote(edges: { failure: Edge; recovery: Edge }, loadRecoveredAtMs: number, loadFirstFailureMs: number): string {
  const moved = (label: string, edge: Edge, loadMs: number) =>
    edge.probeId === null
      ? `${label} stays at the load's ${roundMs(loadMs)} ms (no probe decided it; bracket left ${roundLatencyMs(edge.gapMs)} ms)`
      : `${label} at ${roundMs(edge.atMs)} ms by probe write ${edge.probeId} (the load said ${roundMs(loadMs)} ms; bracket left ${roundLatencyMs(edge.gapMs)} ms)`;
  return `probe stream: ${moved('outage start', edges.failure, loadFirstFailureMs)}; ${moved('recovery', edges.recovery, loadRecoveredAtMs)}`;
}

/**
 * When no declared write failed: what the probe stream says of the same span. Null when it did not run
 * through [t_fault, t_fault + stableMs]; its failures (a stall longer than its short timeout) if it had
 * any up to the load's last send; else its largest send gap around t_fault, the longest outage it could
 * have missed.
 */
function quietProbes(
  probes: readonly WriteRecord[],
  tFaultMs: number,
  stableMs: number,
  lastLoadSendMs: number,
): { kind: 'quiet'; gapMs: number } | { kind: 'failed'; failed: number; fromMs: number; toMs: number } | null {
  if (probes.length === 0 || probes[0]!.invokeMs > tFaultMs || probes[probes.length - 1]!.invokeMs < tFaultMs + stableMs) return null;
  let failed = 0;
  let fromMs = 0;
  let toMs = 0;
  for (let k = firstIndexAtOrAfter(probes, tFaultMs); k < probes.length && probes[k]!.invokeMs <= lastLoadSendMs; k++) {
    const p = probes[k]!;
    if (p.outcome === 'ok') continue;
    if (failed++ === 0) fromMs = p.invokeMs;
    toMs = p.invokeMs;
  }
  if (failed > 0) return { kind: 'failed', failed, fromMs, toMs };
  return { kind: 'quiet', gapMs: largestGapAround(probes, tFaultMs, stableMs) };
}

/** The declared load's send gap in the bound: the largest around any of the centers. */
function loadGapAround(sorted: readonly WriteRecord[], centers: readonly number[], stableMs: number): number {
  let gapMs = 0;
  for (const center of centers) gapMs = Math.max(gapMs, largestGapAround(sorted, center, stableMs));
  return gapMs;
}

function precision(
  loadGapMs: number,
  timerResolutionMs: number,
  injectMs: number,
  probeGapMs: number | null = null,
  queueMs = 0,
  system?: { gapMs: number; floor: RecoveryFloor },
): { precisionMs: number; precision: PrecisionParts } {
  const gapMs = system?.gapMs ?? probeGapMs ?? loadGapMs;
  const parts: PrecisionParts = {
    gapMs: roundLatencyMs(gapMs),
    gapFrom: system ? 'system' : probeGapMs === null ? 'load' : 'probe',
    ...(system ? { floor: floorOf(system.floor) } : {}),
    loadGapMs: roundLatencyMs(loadGapMs),
    timerResolutionMs,
    injectMs: roundLatencyMs(injectMs),
    ...(queueMs > 0 ? { queueMs: roundLatencyMs(queueMs) } : {}),
  };
  return { precisionMs: ceilMs(gapMs + timerResolutionMs + injectMs + queueMs), precision: parts };
}

/**
 * Largest gap between successive write invokes among the pairs that overlap [center − stableMs, center + stableMs],
 * including the pair that straddles an edge: a long silence just before the recovering write is exactly the
 * uncertainty on when recovery happened.
 */
export function largestGapAround(sorted: readonly WriteRecord[], centerMs: number, stableMs: number): number {
  let gap = 0;
  const lo = centerMs - stableMs;
  const hi = centerMs + stableMs;
  for (let k = Math.max(1, firstIndexAtOrAfter(sorted, lo)); k < sorted.length && sorted[k - 1]!.invokeMs <= hi; k++) {
    gap = Math.max(gap, sorted[k]!.invokeMs - sorted[k - 1]!.invokeMs);
  }
  return gap;
}

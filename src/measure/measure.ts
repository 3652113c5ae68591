import { classifyWrites } from './classify.js';
import { sortedOkLatencies, sortedOkResponseTimes, summarizeLatency } from './latency.js';
import { byInvoke, firstIndexAtOrAfter } from './order.js';
import { percentileSorted } from './percentiles.js';
import { findRecovery } from './recovery.js';
import type { ProbeNormal } from './probe-edges.js';
import type { EventMeasured, EventRecord, FaultRecord, MeasureInput, Measured, ProbeMeasured } from './types.js';
import { measureEvents } from './per-event.js';
import type { WriteRecord } from '../load/history.js';
import { isProbeId } from '../load/probe-ids.js';
import { roundMs } from './round.js';
import { faultByMs, faultFromMs, healFromMs } from './fault-instants.js';

/** A normal write's latency (the p99 a recovering write is compared with) is taken from this long before the fault. */
export const NORMAL_WINDOW_MS = 1000;
/** ... and from at least this many ok writes, reaching further back when the rate is low. */
export const NORMAL_MIN_WRITES = 100;

/**
 * The measurement of one run (docs/design.md "Measurement semantics"). Pure: same input, same output.
 * Cost: one O(n) order check (or one O(n log n) sort of a copy), a few O(n) passes and a typed-array sort
 * of the ok latencies; fine for millions of writes.
 */
export function measure(input: MeasureInput): Measured {
  const { history, faults, stableMs, timerResolutionMs } = input;
  const probes = byInvoke(input.probeHistory ?? []);
  // One read-back holds both streams' ids; each is classified against its own.
  const presentIds = input.presentIds && probes.length > 0 ? idsWhere(input.presentIds, (id) => !isProbeId(id)) : input.presentIds;
  const sorted = byInvoke(history);
  const fault = firstFault(faults);
  // t_fault: the earliest moment the fault can have taken effect (docs/design.md).
  const tFaultMs = fault ? faultFromMs(fault) : null;
  const healMs = fault ? healFromMs(fault) : undefined;
  const notes: string[] = [];
  const disasters = faults.filter((f) => !f.condition).length;
  if (disasters > 1) notes.push(`${disasters} faults were injected: the drill's RTO and downtime are measured from the first one (each event has its own row)`);
  if (history.length === 0) notes.push('the load recorded no writes');

  const okLatencies = sortedOkLatencies(sorted);
  const normal = normalLatencies(sorted, tFaultMs, okLatencies).normal;
  const baselineLatencyMs = p99Of(normal);

  const recovery = findRecovery({
    sorted,
    tFaultMs,
    stableMs,
    timerResolutionMs,
    baselineLatencyMs,
    baselineMinLatencyMs: normal[0] ?? 0,
    // The fault took effect inside [injectedAtMs, the engine's event or else the call's return].
    injectMs: fault && tFaultMs !== null ? Math.max(0, faultByMs(fault) - tFaultMs) : 0,
    probes,
    probeNormal: probeNormalOf(probes, tFaultMs),
    ...(healMs === undefined ? {} : { healedAtMs: healMs }),
    ...(input.recoveryFloor ? { floor: input.recoveryFloor } : {}),
    ...(input.relapseUntilMs === undefined ? {} : { relapseUntilMs: input.relapseUntilMs }),
  });
  const rp = recoveryPointSplit(sorted, presentIds, input.recoveryPointMs);
  const data = classifyWrites(rp.kept, presentIds, tFaultMs);
  if (rp.discarded !== null) {
    notes.push(
      `${rp.discarded} acknowledged writes from the recovery point (${roundMs(input.recoveryPointMs!)} ms) on are missing after the point-in-time restore: discarded by the recovery point, not counted as lost`,
    );
  }

  let acked = 0;
  let failed = 0;
  let unknown = 0;
  for (const w of history) {
    if (w.outcome === 'ok') acked++;
    else if (w.outcome === 'fail') failed++;
    else unknown++;
  }

  return {
    totalWrites: history.length,
    ackedWrites: acked,
    failedWrites: failed,
    unknownWrites: unknown,
    lostWrites: data.lostWrites,
    ...(input.recoveryPointMs === undefined ? {} : { discardedWrites: rp.discarded }),
    recoveredWrites: data.recoveredWrites,
    unexpectedWrites: data.unexpectedWrites,
    rtoMs: recovery.rtoMs,
    downtimeMs: recovery.downtimeMs,
    rpoMs: data.rpoMs,
    precisionMs: recovery.precisionMs,
    faultAtMs: tFaultMs,
    firstFailureAtMs: recovery.firstFailureAtMs,
    recoveredAtMs: recovery.recoveredAtMs,
    notes: [...notes, ...recovery.notes, ...data.notes],
    lost: data.lost,
    unexpectedIds: data.unexpectedIds,
    recoveredIds: data.recoveredIds,
    latencyMs: summarizeLatency(okLatencies),
    responseMs: summarizeLatency(sortedOkResponseTimes(history)),
    stableMs,
    precision: recovery.precision,
    lastSafeAckMs: data.lastSafeAckMs,
    failuresBeforeFault: recovery.failuresBeforeFault,
    inFlightAtFault: recovery.inFlightAtFault,
    recoveryWrite: recovery.recoveryWrite,
    ...(recovery.relapses.length > 0 ? { relapses: recovery.relapses } : {}),
    ...(recovery.floor ? { recoveryFloor: recovery.floor } : {}),
    probe: probes.length > 0 ? measureProbes(probes, input.presentIds, tFaultMs) : null,
  };
}

/** Each event's own row (per-event.ts), with the same normal latency and probe stream as the drill's figures. */
export function measureEventRows(input: MeasureInput, events: readonly EventRecord[]): EventMeasured[] {
  const sorted = byInvoke(input.history);
  const probes = byInvoke(input.probeHistory ?? []);
  const tFirstMs = events.length > 0 ? Math.min(...events.map((e) => e.startMs)) : null;
  return measureEvents({
    sorted,
    events,
    presentIds: input.presentIds && probes.length > 0 ? idsWhere(input.presentIds, (id) => !isProbeId(id)) : input.presentIds,
    stableMs: input.stableMs,
    timerResolutionMs: input.timerResolutionMs,
    ...baselineOf(normalLatencies(sorted, tFirstMs, sortedOkLatencies(sorted)).normal),
    probes,
    probeNormal: probeNormalOf(probes, tFirstMs),
    ...(input.recoveryFloor ? { floor: input.recoveryFloor } : {}),
  });
}

function probeNormalOf(probes: readonly WriteRecord[], tFaultMs: number | null): ProbeNormal {
  const { beforeFault, normal } = normalLatencies(probes, tFaultMs, sortedOkLatencies(probes));
  return { minLatencyMs: beforeFault.length > 0 ? beforeFault[0]! : 0, p99LatencyMs: p99Of(normal) };
}

/**
 * Sorted ok latencies before the fault (the shortest of them is the fastest answer), and the normal ones: the
 * last NORMAL_WINDOW_MS before it, widened back to NORMAL_MIN_WRITES ok writes, else all before it, else all.
 * A start slows the system for a while: the load's first writes at the warm-up, and the probe stream's
 * (load/probe-spec.ts PROBE_LEAD_MS, before the window) doubling the writes, whose backlog drained over
 * ~400 ms in mariadb-haproxy-kill-primary (writes at 90–130 ms against 3–5 ms), and made the p99 the queue
 * rule compares a recovering write with 3–40 times the normal one.
 */
function normalLatencies(sorted: readonly WriteRecord[], tFaultMs: number | null, okLatencies: Float64Array): { beforeFault: Float64Array; normal: Float64Array } {
  if (tFaultMs === null) return { beforeFault: okLatencies, normal: okLatencies };
  const end = firstIndexAtOrAfter(sorted, tFaultMs);
  const beforeFault = sortedOkLatencies(sorted, 0, end);
  let from = firstIndexAtOrAfter(sorted, tFaultMs - NORMAL_WINDOW_MS);
  let ok = 0;
  for (let i = from; i < end; i++) if (sorted[i]!.outcome === 'ok') ok++;
  for (; from > 0 && ok < NORMAL_MIN_WRITES; from--) if (sorted[from - 1]!.outcome === 'ok') ok++;
  const recent = sortedOkLatencies(sorted, from, end);
  return { beforeFault, normal: recent.length > 0 ? recent : beforeFault.length > 0 ? beforeFault : okLatencies };
}

/** A normal write's latency: its p99 (the longest) and its shortest. */
function baselineOf(normal: Float64Array): { baselineLatencyMs: number; baselineMinLatencyMs: number } {
  return { baselineLatencyMs: p99Of(normal), baselineMinLatencyMs: normal[0] ?? 0 };
}

function p99Of(sortedLatencies: Float64Array): number {
  return sortedLatencies.length > 0 ? percentileSorted(sortedLatencies, 99) : 0;
}

function measureProbes(probes: readonly WriteRecord[], present: ReadonlySet<number> | null, tFaultMs: number | null): ProbeMeasured {
  const data = classifyWrites(probes, present && idsWhere(present, isProbeId), tFaultMs);
  const count = (outcome: WriteRecord['outcome']) => probes.reduce((n, w) => n + (w.outcome === outcome ? 1 : 0), 0);
  return {
    sentWrites: probes.length,
    ackedWrites: count('ok'),
    failedWrites: count('fail'),
    unknownWrites: count('unknown'),
    lostWrites: data.lostWrites,
    recoveredWrites: data.recoveredWrites,
    unexpectedWrites: data.unexpectedWrites,
    fromMs: roundMs(probes[0]!.invokeMs),
    toMs: roundMs(probes[probes.length - 1]!.invokeMs),
    lostIds: data.lost.firstIds.map((l) => l.id),
  };
}

function idsWhere(ids: ReadonlySet<number>, keep: (id: number) => boolean): Set<number> {
  const out = new Set<number>();
  for (const id of ids) if (keep(id)) out.add(id);
  return out;
}

/** The fault that defines t_fault: the earliest injected (faults are normally recorded in order). */
/** The first fault that is the drill's disaster (a condition such as a slow link is not). */
export function firstFault(faults: readonly FaultRecord[]): FaultRecord | null {
  let first: FaultRecord | null = null;
  for (const f of faults) if (!f.condition && (first === null || f.injectedAtMs < first.injectedAtMs)) first = f;
  return first;
}

/** Set apart the acknowledged writes missing after a point-in-time restore whose ack came at or after its recovery point. */
export function recoveryPointSplit(
  history: readonly WriteRecord[],
  present: ReadonlySet<number> | null,
  recoveryPointMs: number | undefined,
): { kept: readonly WriteRecord[]; discarded: number | null } {
  if (recoveryPointMs === undefined) return { kept: history, discarded: null };
  if (present === null) return { kept: history, discarded: null };
  const kept: WriteRecord[] = [];
  let discarded = 0;
  for (const w of history) {
    if (w.outcome === 'ok' && w.completeMs >= recoveryPointMs && !present.has(w.id)) discarded++;
    else kept.push(w);
  }
  return { kept, discarded };
}

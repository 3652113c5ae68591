import { classifyWrites } from './classify.js';
import { sortedOkLatencies, sortedOkResponseTimes, summarizeLatency } from './latency.js';
import { byInvoke, firstIndexAtOrAfter } from './order.js';
import { percentileSorted } from './percentiles.js';
import { findRecovery } from './recovery.js';
import type { FaultRecord, MeasureInput, Measured } from './types.js';

/**
 * The measurement of one run (docs/design.md "Measurement semantics"). Pure: same input, same output.
 * Cost: one O(n) order check (or one O(n log n) sort of a copy), a few O(n) passes and a typed-array sort
 * of the ok latencies; fine for millions of writes.
 */
export function measure(input: MeasureInput): Measured {
  const { history, faults, presentIds, stableMs, timerResolutionMs } = input;
  const sorted = byInvoke(history);
  const fault = firstFault(faults);
  // t_fault: the earliest moment the fault can have taken effect (docs/design.md).
  const tFaultMs = fault ? (fault.effectFromMs ?? fault.injectedAtMs) : null;
  const notes: string[] = [];
  if (faults.length > 1) notes.push(`${faults.length} faults were injected: RTO and downtime are measured from the first one`);
  if (history.length === 0) notes.push('the load recorded no writes');

  const okLatencies = sortedOkLatencies(sorted);
  const beforeFault = tFaultMs === null ? okLatencies : sortedOkLatencies(sorted, 0, firstIndexAtOrAfter(sorted, tFaultMs));
  const baseline = beforeFault.length > 0 ? beforeFault : okLatencies;
  const baselineLatencyMs = baseline.length > 0 ? percentileSorted(baseline, 99) : 0;

  const recovery = findRecovery({
    sorted,
    tFaultMs,
    stableMs,
    timerResolutionMs,
    baselineLatencyMs,
    // The fault took effect inside [injectedAtMs, the engine's event or else the call's return].
    injectMs: fault && tFaultMs !== null ? Math.max(0, (fault.effectByMs ?? fault.injectReturnedAtMs) - tFaultMs) : 0,
  });
  const data = classifyWrites(sorted, presentIds, tFaultMs);

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
  };
}

/** The fault that defines t_fault: the earliest injected (faults are normally recorded in order). */
export function firstFault(faults: readonly FaultRecord[]): FaultRecord | null {
  let first: FaultRecord | null = null;
  for (const f of faults) if (first === null || f.injectedAtMs < first.injectedAtMs) first = f;
  return first;
}

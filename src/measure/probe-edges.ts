import type { WriteRecord } from '../load/history.js';
import { firstIndexAtOrAfter } from './order.js';

// The probe stream's part in the measurement (docs/design.md "Probe stream"). The declared load brackets
// each edge of the outage between two of its own sends: recovery lies after its last failed send before the
// recovering write and at or before that write; the outage began after its last good send before the first
// failure and at or before that failure. At a few hundred writes a second over connections that may all
// be stuck in the outage, a bracket can be hundreds of ms wide. The probe's sends inside a bracket (short
// timeouts, several connections) find the edge more tightly; they never move it outside the bracket.

export interface Edge {
  /** The refined instant (run-clock ms). */
  atMs: number;
  /** Width of what is left of the bracket: the uncertainty of this edge. */
  gapMs: number;
  /** The probe write that set the edge, if one did. */
  probeId: number | null;
}

/**
 * Recovery: the first ok probe sent after the last failed probe inside (afterMs, latestMs], counted from its
 * start, or from its ack minus the normal latency when it was slow (as for the declared recovering write);
 * the uncertainty is from the last failed probe's send to this one's answer.
 * latestMs is the declared recovering write's ack: the system answered by then, whatever the load's own
 * estimate (its start, or its ack minus a normal latency that an overloaded host can make too large).
 * Without an ok probe there, the load's estimate stands unless a failed probe contradicts it, and the
 * uncertainty is what is left of the bracket.
 */
export function recoveryEdge(probes: readonly WriteRecord[], afterMs: number, latestMs: number, loadEstimateMs: number, baselineLatencyMs: number): Edge {
  let lastFailedMs = afterMs;
  let firstOk: WriteRecord | null = null;
  for (let k = firstIndexAtOrAfter(probes, afterMs); k < probes.length && probes[k]!.invokeMs <= latestMs; k++) {
    const p = probes[k]!;
    if (p.invokeMs <= afterMs) continue;
    if (p.outcome === 'ok') firstOk ??= p;
    else {
      lastFailedMs = p.invokeMs;
      firstOk = null;
    }
  }
  if (!firstOk) return { atMs: Math.max(loadEstimateMs, lastFailedMs), gapMs: latestMs - lastFailedMs, probeId: null };
  // The system came up after the last failed probe was sent and before this one was answered: that whole
  // span is the uncertainty (a few ms normally; wide when the probe itself was slow, e.g. on a starved host).
  const atMs = Math.min(latestMs, Math.max(firstOk.invokeMs, firstOk.completeMs - baselineLatencyMs));
  return { atMs, gapMs: firstOk.completeMs - lastFailedMs, probeId: firstOk.id };
}

/**
 * The outage's start: the first failed probe sent inside [fromMs, byMs] (fromMs = the later of t_fault and
 * the declared load's last good send before its first failure), else byMs; the bracket narrows to the last
 * good probe before it.
 */
export function failureEdge(probes: readonly WriteRecord[], fromMs: number, byMs: number): Edge {
  let lastOkMs = fromMs;
  for (let k = firstIndexAtOrAfter(probes, fromMs); k < probes.length && probes[k]!.invokeMs <= byMs; k++) {
    const p = probes[k]!;
    if (p.outcome !== 'ok') return { atMs: p.invokeMs, gapMs: p.invokeMs - lastOkMs, probeId: p.id };
    lastOkMs = p.invokeMs;
  }
  return { atMs: byMs, gapMs: byMs - lastOkMs, probeId: null };
}

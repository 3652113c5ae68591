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
  /** The uncertainty of this edge: the most the true edge can lie from atMs (what is left of the bracket, or half of it when atMs is its middle). */
  gapMs: number;
  /** The probe write that set the edge, if one did. */
  probeId: number | null;
  /**
   * Recovery edges: the interval the true edge lies in (atMs inside it), and the first ack that bounds
   * it from above (a recovery floor from the system's own record narrows it: recovery-floor.ts).
   */
  span?: { fromMs: number; toMs: number; ackMs: number };
}

/** What the probes' own record says of a healthy system: their normal latency before the fault. */
export interface ProbeNormal {
  /** The fastest and the p99 ok probe latency before the fault. */
  minLatencyMs: number;
  p99LatencyMs: number;
}

/**
 * Recovery, inside the load's bracket (afterMs, latestMs] (latestMs: the declared recovering write's ack):
 * the first ok probe r after the last failed probe f bounds it from both sides.
 * - r was answered at r.complete, so the system was up by r.complete minus the fastest normal answer;
 * - f failed, so the system was not yet serving when f was sent. Only when it was sent: a probe that timed
 *   out does not prove the system down until its timeout ran out. A server that comes back works off the
 *   requests queued while it was out before it answers newer ones (measured: a Redis master thawed after
 *   1.3 s answered the writes queued in the freeze over ~40 ms, and a probe sent 200 ms before the thaw
 *   timed out at 250 ms with its answer on the way; reading its timeout as "down until send + timeout"
 *   put recovery 38 ms after the thaw and called it exact).
 * The recovery point is r's ack minus the normal latency (as for the declared recovering write), kept
 * inside those bounds, and their distance is the uncertainty. Without an ok probe there, the load's
 * estimate stands unless a failed probe contradicts it.
 *
 * When r waited out the outage in a queue (slower than the probes' p99) and drill lifted the fault before
 * r's ack (`healedAtMs`: the thaw, the heal's call), the system came back between the heal and the first
 * ack after it minus the fastest answer: the declared load's queue rule (recovery.ts), with the probes'
 * earliest ack instead of the recovering write's. The middle of that span is counted, ± half of it (the
 * drain above took ~40 ms; the timeouts alone left ± 250 ms).
 */
export function recoveryEdge(probes: readonly WriteRecord[], afterMs: number, latestMs: number, loadEstimateMs: number, normal: ProbeNormal, healedAtMs?: number): Edge {
  let lastFailed: WriteRecord | null = null;
  let firstOk: WriteRecord | null = null;
  let firstAckMs = Number.POSITIVE_INFINITY;
  for (let k = firstIndexAtOrAfter(probes, afterMs); k < probes.length && probes[k]!.invokeMs <= latestMs; k++) {
    const p = probes[k]!;
    if (p.invokeMs <= afterMs) continue;
    if (p.outcome === 'ok') {
      firstOk ??= p;
      firstAckMs = Math.min(firstAckMs, p.completeMs);
    } else {
      lastFailed = p;
      firstOk = null;
      firstAckMs = Number.POSITIVE_INFINITY;
    }
  }
  const lowerMs = Math.max(afterMs, lastFailed?.invokeMs ?? afterMs);
  if (!firstOk)
    return { atMs: Math.max(loadEstimateMs, lowerMs), gapMs: Math.max(0, latestMs - lowerMs), probeId: null, span: { fromMs: lowerMs, toMs: Math.max(lowerMs, latestMs), ackMs: latestMs } };
  const queued = firstOk.completeMs - firstOk.invokeMs > normal.p99LatencyMs;
  if (queued && healedAtMs !== undefined && healedAtMs < firstAckMs) {
    const upMs = Math.max(lowerMs, Math.min(latestMs, firstAckMs - normal.minLatencyMs));
    const fromMs = Math.min(upMs, Math.max(lowerMs, healedAtMs));
    return { atMs: (fromMs + upMs) / 2, gapMs: (upMs - fromMs) / 2, probeId: firstOk.id, span: { fromMs, toMs: upMs, ackMs: Math.min(latestMs, firstAckMs) } };
  }
  const upperMs = Math.max(lowerMs, Math.min(latestMs, firstOk.completeMs - normal.minLatencyMs));
  const atMs = Math.min(upperMs, Math.max(lowerMs, firstOk.completeMs - normal.p99LatencyMs));
  return { atMs, gapMs: upperMs - lowerMs, probeId: firstOk.id, span: { fromMs: lowerMs, toMs: upperMs, ackMs: Math.min(latestMs, firstAckMs) } };
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

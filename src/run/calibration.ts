import type { ResultJson } from '../report/result.js';
import { faultByMs, faultFromMs, healFromMs } from '../measure/fault-instants.js';
import { roundMs } from '../measure/round.js';

/**
 * The built-in calibration drill: freeze the app's database (the Redis master) for an exact time,
 * shorter than Sentinel's detection, so there is no failover and the true outage is known. The measured
 * downtime must match it within the stated precision, on any host.
 */
export function calibrationDrillYaml(pauseMs: number, rate: number): string {
  const downAfterMs = Math.max(3000, pauseMs * 3);
  return [
    'name: drill-calibrate',
    `description: Freeze the Redis master for exactly ${pauseMs} ms (no failover) and compare the measured downtime with it.`,
    'stack:',
    '  kind: redis-sentinel',
    '  replicas: 1',
    '  sentinels: 3',
    `  sentinel: { downAfter: ${downAfterMs}ms, failoverTimeout: ${downAfterMs * 3}ms }`,
    // Writes hang while frozen: enough connections for every write of the pause to be sent on time.
    `load: { rate: ${rate}, connections: ${Math.min(512, Math.max(16, Math.ceil((rate * Math.min(pauseMs, 1000)) / 1000) + 32))}, timeout: 1s, warmup: 2s, duration: ${4000 + pauseMs + 3000}ms }`,
    'steps:',
    `  - { at: 4s, fault: pause, target: primary, duration: ${pauseMs}ms }`,
    '  - { waitFor: recovered, timeout: 30s }',
    'objectives: { lostWrites: 0, unexpectedWrites: 0 }',
    '',
  ].join('\n');
}

export interface CalibrationOutcome {
  /** The middle of what the freeze and the thaw allow (see calibrationOutcome). */
  trueOutageMs: number;
  /** Half the width of that range: the truth's own doubt, allowed on top of the stated precision. */
  truthDoubtMs: number;
  /** How long the pause call took: the freeze began inside it, and the pause's duration counts from its end. */
  pauseCallMs: number;
  /** From the unpause call's start to the thaw's latest instant: the target stays frozen that long after the heal began. */
  thawAfterUnpauseMs: number;
  measuredDowntimeMs: number | null;
  errorMs: number | null;
  precisionMs: number;
  withinPrecision: boolean;
}

/**
 * True outage: from the freeze to the thaw, each where drill saw it in the cgroup freezer during its call
 * (FaultRecord effectFromMs/ByMs, healFromMs/ByMs), else the call itself (pause: its start and end; unpause:
 * the same). The unpause call can take 40–150 ms before the thaw here, so its start is no truth.
 */
export function calibrationOutcome(result: ResultJson): CalibrationOutcome | null {
  const fault = result.faults[0];
  const m = result.measured;
  if (!fault || fault.healedAtMs === undefined || !m) return null;
  const freeze = { fromMs: faultFromMs(fault), byMs: faultByMs(fault) };
  const thaw = { fromMs: healFromMs(fault) ?? fault.healedAtMs, byMs: fault.healByMs ?? fault.healReturnedAtMs ?? fault.healedAtMs };
  const shortestMs = thaw.fromMs - freeze.byMs;
  const longestMs = thaw.byMs - freeze.fromMs;
  const trueOutageMs = (shortestMs + longestMs) / 2;
  const truthDoubtMs = (longestMs - shortestMs) / 2;
  const errorMs = m.downtimeMs === null ? null : m.downtimeMs - trueOutageMs;
  return {
    trueOutageMs: roundMs(trueOutageMs),
    truthDoubtMs: roundMs(truthDoubtMs),
    pauseCallMs: roundMs(fault.injectReturnedAtMs - fault.injectedAtMs),
    thawAfterUnpauseMs: roundMs(thaw.byMs - fault.healedAtMs),
    measuredDowntimeMs: m.downtimeMs,
    errorMs: errorMs === null ? null : roundMs(errorMs),
    precisionMs: m.precisionMs,
    withinPrecision: errorMs !== null && Math.abs(errorMs) <= m.precisionMs + truthDoubtMs,
  };
}

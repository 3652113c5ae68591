import type { ResultJson } from '../report/result.js';

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
  trueOutageMs: number;
  /** How long the pause call took: the freeze began inside it, and the pause's duration counts from its end. */
  pauseCallMs: number;
  measuredDowntimeMs: number | null;
  errorMs: number | null;
  precisionMs: number;
  withinPrecision: boolean;
}

/** True outage: from the start of the pause call to the start of the unpause call (both ~10 ms calls). */
export function calibrationOutcome(result: ResultJson): CalibrationOutcome | null {
  const fault = result.faults[0];
  const m = result.measured;
  if (!fault || fault.healedAtMs === undefined || !m) return null;
  const trueOutageMs = fault.healedAtMs - fault.injectedAtMs;
  const errorMs = m.downtimeMs === null ? null : m.downtimeMs - trueOutageMs;
  return {
    trueOutageMs: Math.round(trueOutageMs * 10) / 10,
    pauseCallMs: Math.round((fault.injectReturnedAtMs - fault.injectedAtMs) * 10) / 10,
    measuredDowntimeMs: m.downtimeMs,
    errorMs: errorMs === null ? null : Math.round(errorMs * 10) / 10,
    precisionMs: m.precisionMs,
    withinPrecision: errorMs !== null && Math.abs(errorMs) <= m.precisionMs,
  };
}

import type { DrillSpec } from '../spec/schema.js';

// What the probe stream of a drill is (docs/design.md "Probe stream"); src/run/probe-stream.ts runs it.

export interface ProbeSpec {
  rate: number;
  connections: number;
  timeoutMs: number;
}

export const PROBE_DEFAULTS: ProbeSpec = { rate: 200, connections: 64, timeoutMs: 250 };

/**
 * Started this long before the first fault: its normal latency is known before the outage, and the backlog
 * its start makes (it doubles the writes) has drained before the last second, where the normal latency of
 * both streams is taken (measure/measure.ts NORMAL_WINDOW_MS).
 */
export const PROBE_LEAD_MS = 2000;

/**
 * The drill's probe stream, or null: `load.probe` when declared; undeclared, on for the stacks drill starts
 * and off for a compose stack (the user's own system: drill adds no writes to it unasked). Measured
 * beside the declared load in docs/design.md "Probe stream".
 */
export function probeSpecOf(spec: DrillSpec): ProbeSpec | null {
  const declared = spec.load.probe ?? spec.stack.kind !== 'compose';
  if (declared === false) return null;
  if (declared === true) return PROBE_DEFAULTS;
  return declared;
}

import type { ObjectiveResult } from './types.js';
import type { ObjectivesSpec } from '../spec/schema.js';
import type { Measured } from './types.js';

type ObjectiveName = ObjectiveResult['name'];

const UNITS: { [K in ObjectiveName]: ObjectiveResult['unit'] } = {
  rtoMs: 'ms',
  downtimeMs: 'ms',
  lostWrites: 'writes',
  rpoMs: 'ms',
  unexpectedWrites: 'writes',
};

/** Report order. */
const ORDER: readonly ObjectiveName[] = ['rtoMs', 'downtimeMs', 'lostWrites', 'rpoMs', 'unexpectedWrites'];

/**
 * Each declared objective against its measured value: met when measured ≤ declared. A declared objective
 * that could not be measured (null, or no measurement at all) is missed: a number we do not have cannot pass.
 * Time objectives carry the precision of the measurement so a report can show "2.3 s ± 3.5 ms".
 */
export function evaluateObjectives(objectives: ObjectivesSpec, m: Measured | null): ObjectiveResult[] {
  const results: ObjectiveResult[] = [];
  for (const name of ORDER) {
    const declared = objectives[name];
    if (declared === undefined) continue;
    const measured = m === null ? null : m[name];
    const result: ObjectiveResult = { name, declared, measured, met: measured !== null && measured <= declared, unit: UNITS[name] };
    if (UNITS[name] === 'ms' && name !== 'rpoMs' && m !== null && measured !== null) result.precisionMs = m.precisionMs;
    results.push(result);
  }
  return results;
}

/** 'fail' when any objective is missed. error/aborted are the runner's to decide, not the measurement's. */
export function verdictOf(results: readonly ObjectiveResult[]): 'pass' | 'fail' {
  return results.every((r) => r.met) ? 'pass' : 'fail';
}

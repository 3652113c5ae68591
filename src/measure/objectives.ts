import type { ObjectiveResult } from './types.js';
import type { ObjectivesSpec } from '../spec/schema.js';
import type { Measured } from './types.js';
import { assertNever } from '../util/assert-never.js';
import { availabilityOf } from './availability.js';

/** The drill's own objectives (its totals); the per-event ones are in event-objectives.ts. */
type ObjectiveName = Exclude<ObjectiveResult['name'], 'withinMs' | 'errantTransactions' | 'restoreTimeMs' | 'backupAgeMs'>;

const UNITS: { [K in ObjectiveName]: ObjectiveResult['unit'] } = {
  rtoMs: 'ms',
  downtimeMs: 'ms',
  lostWrites: 'writes',
  rpoMs: 'ms',
  unexpectedWrites: 'writes',
  availability: 'percent',
  readRtoMs: 'ms',
  readDowntimeMs: 'ms',
  staleReads: 'reads',
  readYourWrites: 'reads',
  dirtyReads: 'reads',
};

/** Report order. */
const ORDER: readonly ObjectiveName[] = ['rtoMs', 'downtimeMs', 'lostWrites', 'rpoMs', 'unexpectedWrites', 'availability', 'readRtoMs', 'readDowntimeMs', 'staleReads', 'readYourWrites', 'dirtyReads'];

/**
 * Each declared objective against its measured value: met when measured ≤ declared (availability: ≥). A
 * declared objective that could not be measured (null, or no measurement at all) is not met: a number we
 * do not have cannot pass. Time objectives carry the precision of the measurement so a report can show
 * "2.3 s ± 3.5 ms".
 */
export function evaluateObjectives(objectives: ObjectivesSpec, m: Measured | null, availability?: { mtbfMs: number }): ObjectiveResult[] {
  const results: ObjectiveResult[] = [];
  for (const name of ORDER) {
    const declared = objectives[name];
    if (declared === undefined) continue;
    const measured = measuredValue(name, m, availability);
    const min = name === 'availability';
    const met = measured !== null && (min ? measured >= declared : measured <= declared);
    const result: ObjectiveResult = { name, declared, measured, met, unit: UNITS[name], state: met ? 'met' : measured === null ? 'not-measured' : 'missed' };
    if (min) result.bound = 'min';
    if (measured === null) result.why = notMeasuredWhy(name, m, availability);
    if ((name === 'readRtoMs' || name === 'readDowntimeMs') && m?.reads && measured !== null) result.precisionMs = m.reads.precisionMs;
    else if (UNITS[name] === 'ms' && name !== 'rpoMs' && m !== null && measured !== null) result.precisionMs = m.precisionMs;
    results.push(result);
  }
  return results;
}

function measuredValue(name: ObjectiveName, m: Measured | null, availability: { mtbfMs: number } | undefined): number | null {
  if (m === null) return null;
  switch (name) {
    case 'readRtoMs':
      return m.reads?.rtoMs ?? null;
    case 'readDowntimeMs':
      return m.reads?.downtimeMs ?? null;
    case 'staleReads':
      return m.reads?.stale.count ?? null;
    case 'readYourWrites':
      return m.reads?.readYourWrites.count ?? null;
    case 'dirtyReads':
      return m.reads?.dirty?.count ?? null;
    default:
      break;
  }
  if (name !== 'availability') return m[name];
  if (!availability || m.rtoMs === null) return null;
  // This run's RTO as the time to recover (fault to stable recovery, detection included: what MTTR
  // averages over runs). Eight decimals: enough for the nines a declared MTBF can tell apart.
  return Math.round(availabilityOf(availability.mtbfMs, m.rtoMs).availability * 100 * 1e8) / 1e8;
}

/** Why an objective has no measured value, in the user's terms. */
function notMeasuredWhy(name: ObjectiveName, m: Measured | null, availability: { mtbfMs: number } | undefined): string {
  if (m === null) return 'nothing was measured: the run ended before the load did';
  switch (name) {
    case 'availability':
      if (!availability) return 'no availability.mtbf declared';
      return `no RTO: ${notMeasuredWhy('rtoMs', m, availability)}`;
    case 'rtoMs':
    case 'downtimeMs':
      if (m.faultAtMs === null) return 'no fault was injected';
      return m.recoveredAtMs === null ? 'writes had not recovered (stably) by the end of the load' : 'no failed write after the fault';
    case 'lostWrites':
    case 'unexpectedWrites':
      return 'the writes could not be read back after recovery';
    case 'readRtoMs':
    case 'readDowntimeMs':
      if (!m.reads) return 'the drill declares no reads (load.reads)';
      if (m.faultAtMs === null) return 'no fault was injected';
      return 'reads had not recovered (stably) by the end of the load';
    case 'staleReads':
    case 'readYourWrites':
      return 'the drill declares no reads (load.reads)';
    case 'dirtyReads':
      return m.reads ? 'the writes could not be read back after recovery' : 'the drill declares no reads (load.reads)';
    case 'rpoMs':
      return m.lostWrites === null ? 'the writes could not be read back after recovery' : 'writes were lost but no fault was injected';
    default:
      return assertNever(name, 'objective');
  }
}

/** The state of an objective from any result.json (older ones have no `state`). */
export function objectiveState(o: Pick<ObjectiveResult, 'met' | 'measured' | 'state'>): 'met' | 'missed' | 'not-measured' {
  return o.state ?? (o.met ? 'met' : o.measured === null ? 'not-measured' : 'missed');
}

/** 'fail' when any objective is missed. error/aborted are the runner's to decide, not the measurement's. */
export function verdictOf(results: readonly ObjectiveResult[]): 'pass' | 'fail' {
  return results.every((r) => r.met) ? 'pass' : 'fail';
}

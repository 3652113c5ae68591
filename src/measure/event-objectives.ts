import type { EventObjectivesByKind, EventObjectivesSpec } from '../spec/schema.js';
import { assertNever } from '../util/assert-never.js';
import type { EventMeasured, ObjectiveResult } from './types.js';

// The objectives of each event (objectives.failover / switchover / failback / rejoin), judged on that
// event's own row: met when measured ≤ declared; a declared objective with no measured value is not met.

type EventObjectiveName = keyof EventObjectivesSpec;

const ORDER: readonly EventObjectiveName[] = ['rtoMs', 'downtimeMs', 'lostWrites', 'withinMs', 'errantTransactions'];
const UNITS: { [K in EventObjectiveName]: ObjectiveResult['unit'] } = {
  rtoMs: 'ms',
  downtimeMs: 'ms',
  lostWrites: 'writes',
  withinMs: 'ms',
  errantTransactions: 'transactions',
};

export function evaluateEventObjectives(byKind: EventObjectivesByKind | undefined, rows: readonly EventMeasured[]): ObjectiveResult[] {
  if (!byKind) return [];
  const results: ObjectiveResult[] = [];
  for (const row of rows) {
    const declaredSet = byKind[row.kind];
    if (!declaredSet) continue;
    for (const name of ORDER) {
      const declared = declaredSet[name];
      if (declared === undefined) continue;
      const measured = row[name];
      const met = measured !== null && measured <= declared;
      const result: ObjectiveResult = { name, event: row.index, declared, measured, met, unit: UNITS[name], state: met ? 'met' : measured === null ? 'not-measured' : 'missed' };
      if (measured === null) result.why = notMeasuredWhy(name, row);
      if ((name === 'rtoMs' || name === 'downtimeMs') && measured !== null) result.precisionMs = row.precisionMs;
      results.push(result);
    }
  }
  return results;
}

function notMeasuredWhy(name: EventObjectiveName, row: EventMeasured): string {
  switch (name) {
    case 'rtoMs':
    case 'downtimeMs':
      return row.overlappedBy !== null ? `writes had not recovered when event ${row.overlappedBy} began, nor by the end of the load` : 'writes had not recovered (stably) by the end of the load';
    case 'lostWrites':
      return 'the writes could not be read back after the drill';
    case 'withinMs':
      if (row.kind === 'failover') return 'a fault has no duration of its own: use rto';
      return row.kind === 'rejoin' ? 'the node was not seen replicating and caught up (left out, or the timeout)' : 'the operation did not finish';
    case 'errantTransactions':
      return row.kind === 'rejoin' ? 'this stack has no notion of errant transactions (a returning Redis master is resynced from the new one)' : 'only a rejoin counts errant transactions';
    default:
      return assertNever(name, 'event objective');
  }
}

/** "event 2 (switchover db-1 → db-2)": how an event is named in reasons and reports. */
export function eventName(row: Pick<EventMeasured, 'index' | 'label'>): string {
  return `event ${row.index} (${row.label})`;
}

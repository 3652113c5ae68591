import type { Measured, TimelineEvent } from './types.js';

/** Timeline markers the measurement itself contributes: the first failed write and the recovery point. */
export function eventsFromMeasured(m: Measured): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  if (m.firstFailureAtMs !== null) {
    events.push({ atMs: m.firstFailureAtMs, source: 'measure', marker: 'first-failure', message: 'first write after the fault that did not succeed' });
  }
  if (m.recoveredAtMs !== null) {
    const stable = m.stableMs === undefined ? '' : ` (every write in the next ${m.stableMs} ms succeeded)`;
    const rto = m.rtoMs === null ? '' : `; RTO ${m.rtoMs} ms ± ${m.precisionMs} ms`;
    events.push({ atMs: m.recoveredAtMs, source: 'measure', marker: 'recovered', message: `writes recovered${stable}${rto}` });
  }
  return events;
}

import type { EventMeasured, Measured, TimelineEvent } from './types.js';

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
  const reads = m.reads;
  if (reads) {
    if (reads.firstFailureAtMs !== null) events.push({ atMs: reads.firstFailureAtMs, source: 'measure', marker: 'reads-failed', message: 'first read after the fault that did not succeed' });
    if (reads.recoveredAtMs !== null) {
      events.push({ atMs: reads.recoveredAtMs, source: 'measure', marker: 'reads-recovered', message: `reads recovered; read RTO ${reads.rtoMs} ms ± ${reads.precisionMs} ms` });
    }
    const first = (c: { count: number; firstAtMs: number | null; lastAtMs: number | null } | null, marker: 'first-stale-read' | 'first-dirty-read' | 'first-own-write-missed', what: string) => {
      if (c?.firstAtMs != null)
        events.push({ atMs: c.firstAtMs, source: 'measure', marker, message: `${c.count} ${what}, sent from ${c.firstAtMs.toFixed(1)} ms to ${(c.lastAtMs ?? c.firstAtMs).toFixed(1)} ms` });
    };
    first(reads.stale, 'first-stale-read', 'stale reads');
    first(reads.dirty, 'first-dirty-read', 'dirty reads');
    first(reads.readYourWrites, 'first-own-write-missed', 'read-your-writes violations');
  }
  return events;
}

/** Each event's recovery on the timeline, where it is not the drill's own (already marked 'recovered'). */
export function eventsFromEventRows(rows: readonly EventMeasured[], m: Measured): TimelineEvent[] {
  return rows
    .filter((r) => r.recoveredAtMs !== null && r.recoveredAtMs !== m.recoveredAtMs)
    .map((r) => ({
      atMs: r.recoveredAtMs!,
      source: 'measure' as const,
      marker: 'event-recovered' as const,
      message: `writes recovered from event ${r.index} (${r.label}); RTO ${r.rtoMs} ms ± ${r.precisionMs} ms`,
    }));
}

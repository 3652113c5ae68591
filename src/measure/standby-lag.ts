import type { WriteRecord } from '../load/history.js';
import { roundMs } from './round.js';
import type { FaultRecord, StandbyLag } from './types.js';

/**
 * Where each surviving node stood when a site was lost, from its own answer just before the cut
 * (FaultRecord.standbys) and the write history: how old its newest write was (lag) and how many
 * acknowledged writes it did not have. A failover to it must lose about those: the report sets them
 * beside the loss it measured.
 */
export function standbyLag(faults: readonly FaultRecord[], history: readonly WriteRecord[]): StandbyLag[] {
  const byId = new Map(history.map((w) => [w.id, w]));
  const out: StandbyLag[] = [];
  for (const f of faults) {
    for (const s of f.standbys ?? []) {
      // Acknowledged by the lost site: sent before it was gone, acked by then at the latest.
      const goneMs = f.injectReturnedAtMs;
      const last = s.lastWriteId;
      const behind = history.filter((w) => w.outcome === 'ok' && (last === null || w.id > last) && w.completeMs <= goneMs).length;
      const newest = last === null ? undefined : byId.get(last);
      const lagMs = newest ? roundMs(Math.max(0, s.answeredAtMs - (newest.outcome === 'ok' ? newest.completeMs : newest.invokeMs))) : null;
      out.push({ node: s.node, lastWriteId: last, lagMs, writesBehind: behind });
    }
  }
  return out;
}

export function standbyLagNote(lag: StandbyLag, lostWrites: number | null): string {
  const where = lag.lagMs === null ? 'had no write' : `was ${lag.lagMs} ms behind (newest write #${lag.lastWriteId})`;
  return `at the site loss ${lag.node} ${where}, ${lag.writesBehind} acknowledged writes short${lostWrites === null ? '' : `; the failover lost ${lostWrites}`}`;
}

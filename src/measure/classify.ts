import type { WriteRecord } from '../load/history.js';
import type { LostWrite } from './types.js';
import { roundMs } from './round.js';

/** How many ids each list in Measured keeps (the counts are always complete). */
export const LIST_LIMIT = 20;

export interface Classification {
  lostWrites: number | null;
  recoveredWrites: number | null;
  unexpectedWrites: number | null;
  rpoMs: number | null;
  lastSafeAckMs: number | null;
  lost: { firstIds: LostWrite[]; ackSpanMs: { firstMs: number; lastMs: number } | null; ackedAfterFault: number };
  unexpectedIds: number[];
  recoveredIds: number[];
  notes: string[];
}

/**
 * Data classification against the ids read back after recovery (docs/design.md "Measurement semantics"):
 * lost = acked ∖ present, recovered = unknown ∩ present, unexpected = present ∖ (acked ∪ unknown).
 * A write that failed definitely but is present counts as unexpected: the app said it did not happen.
 * Ids are assumed unique in the history (the load guarantees it). O(n) plus a sort of the lost writes.
 */
export function classifyWrites(history: readonly WriteRecord[], present: ReadonlySet<number> | null, tFaultMs: number | null): Classification {
  const notes: string[] = [];
  if (present === null) {
    notes.push('the surviving data could not be read back: lost, recovered and unexpected writes and RPO are unknown');
    return {
      lostWrites: null,
      recoveredWrites: null,
      unexpectedWrites: null,
      rpoMs: null,
      lastSafeAckMs: null,
      lost: { firstIds: [], ackSpanMs: null, ackedAfterFault: 0 },
      unexpectedIds: [],
      recoveredIds: [],
      notes,
    };
  }

  const lostIdx: number[] = [];
  const recoveredIds: number[] = [];
  let ackedPresent = 0;
  let firstLostAck = Number.POSITIVE_INFINITY;
  let lastLostAck = Number.NEGATIVE_INFINITY;
  let ackedAfterFault = 0;
  for (let i = 0; i < history.length; i++) {
    const w = history[i]!;
    if (w.outcome === 'ok') {
      if (present.has(w.id)) {
        ackedPresent++;
      } else {
        lostIdx.push(i);
        if (w.completeMs < firstLostAck) firstLostAck = w.completeMs;
        if (w.completeMs > lastLostAck) lastLostAck = w.completeMs;
        if (tFaultMs !== null && w.completeMs > tFaultMs) ackedAfterFault++;
      }
    } else if (w.outcome === 'unknown' && present.has(w.id)) {
      recoveredIds.push(w.id);
    }
  }

  // Fast path: if every present id is accounted for by acked/unknown writes there is nothing unexpected,
  // and no set of the whole history needs building.
  let unexpectedIds: number[] = [];
  let unexpectedWrites = present.size - ackedPresent - recoveredIds.length;
  if (unexpectedWrites !== 0) {
    const accounted = new Set<number>();
    for (const w of history) if (w.outcome !== 'fail') accounted.add(w.id);
    unexpectedIds = [];
    for (const id of present) if (!accounted.has(id)) unexpectedIds.push(id);
    unexpectedWrites = unexpectedIds.length;
    unexpectedIds.sort((a, b) => a - b);
    unexpectedIds = unexpectedIds.slice(0, LIST_LIMIT);
  }
  if (unexpectedWrites > 0) {
    notes.push(
      `${unexpectedWrites} ids are present that were never acknowledged nor left unknown (first: ${unexpectedIds.slice(0, 5).join(', ')}): ` +
        'a write reported as failed was applied, or something else wrote to the store. This is a bug in the system under test or in drill.',
    );
  }
  if (recoveredIds.length > 0) {
    notes.push(`${recoveredIds.length} writes with an unknown outcome (timeout, reset) were in fact applied`);
  }
  recoveredIds.sort((a, b) => a - b);

  const lostWrites = lostIdx.length;
  let rpoMs: number | null = 0;
  let lastSafeAckMs: number | null = null;
  let ackSpanMs: Classification['lost']['ackSpanMs'] = null;
  let firstIds: LostWrite[] = [];
  if (lostWrites > 0) {
    ackSpanMs = { firstMs: roundMs(firstLostAck), lastMs: roundMs(lastLostAck) };
    lostIdx.sort((a, b) => history[a]!.completeMs - history[b]!.completeMs || history[a]!.id - history[b]!.id);
    firstIds = lostIdx.slice(0, LIST_LIMIT).map((i) => {
      const w = history[i]!;
      return { id: w.id, ackMs: roundMs(w.completeMs), ackAfterFault: tFaultMs !== null && w.completeMs > tFaultMs };
    });
    notes.push(`${lostWrites} acknowledged writes are missing after recovery (data loss), acknowledged between ${ackSpanMs.firstMs} ms and ${ackSpanMs.lastMs} ms`);
    if (ackedAfterFault > 0) {
      notes.push(
        `${ackedAfterFault} of the lost writes were acknowledged after the fault was injected (split brain, or a dying primary still acknowledging): ` + 'RPO as time cannot show these, count them',
      );
    }
    lastSafeAckMs = lastSafeAck(history, present, firstLostAck);
    if (lastSafeAckMs === null) {
      lastSafeAckMs = firstInvokeMs(history);
      notes.push('no acknowledged write survived before the first lost one: the loss window starts with the first write sent');
    }
    if (tFaultMs === null) {
      rpoMs = null;
      notes.push('writes were lost but no fault was injected: RPO as time is not defined');
    } else if (firstLostAck > tFaultMs) {
      // Every write acknowledged before the fault survived: nothing of the time before it was lost
      // (docs/design.md, RPO). The ones lost after it are counted above, not shown as time.
      rpoMs = 0;
    } else {
      rpoMs = roundMs(Math.max(0, tFaultMs - lastSafeAckMs));
    }
  }

  return {
    lostWrites,
    recoveredWrites: recoveredIds.length,
    unexpectedWrites,
    rpoMs,
    lastSafeAckMs: lastSafeAckMs === null ? null : roundMs(lastSafeAckMs),
    lost: { firstIds, ackSpanMs, ackedAfterFault },
    unexpectedIds,
    recoveredIds: recoveredIds.slice(0, LIST_LIMIT),
    notes,
  };
}

/** The last ack time before the earliest-acked lost write (every write acknowledged up to then survived), or null. */
function lastSafeAck(history: readonly WriteRecord[], present: ReadonlySet<number>, firstLostAckMs: number): number | null {
  let best = Number.NEGATIVE_INFINITY;
  for (const w of history) {
    if (w.outcome === 'ok' && w.completeMs < firstLostAckMs && w.completeMs > best && present.has(w.id)) best = w.completeMs;
  }
  return best === Number.NEGATIVE_INFINITY ? null : best;
}

function firstInvokeMs(history: readonly WriteRecord[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const w of history) if (w.invokeMs < first) first = w.invokeMs;
  return first;
}

import { roundLatencyMs, roundMs } from './round.js';

// A recovery floor: the system's own record that no write could be acknowledged before a moment. A
// synchronous PostgreSQL primary holds every commit until a standby confirms it, and logs (its own
// stamp, on the host's clock) the moment one starts to (stacks/postgres/commit-gate.ts). The client's
// view brackets recovery between a failed send and the first ack after it; writes queued behind a
// closed gate make that bracket wide. The floor raises its lower end (docs/design.md "Recovery floor").

export interface RecoveryFloor {
  /** Run-clock ms: no write was acknowledged before it. */
  atMs: number;
  /** Since when the gate was closed (the fault that closed it): the floor says nothing of a recovery before it. */
  sinceMs: number;
  /** What says so, in words: the node and its log line. */
  why: string;
}

/** The latest of several floors: each holds, so the latest does. */
export function latestFloor(floors: readonly (RecoveryFloor | null)[]): RecoveryFloor | null {
  let out: RecoveryFloor | null = null;
  for (const f of floors) if (f && (!out || f.atMs > out.atMs)) out = f;
  return out;
}

/** Where the client's view puts a recovery edge: in [fromMs, toMs], and acknowledged by ackMs. */
export interface RecoverySpan {
  fromMs: number;
  toMs: number;
  ackMs: number;
}

export type FlooredRecovery =
  /** The floor lies inside the span: recovery in [floor, upper], counted at the middle ± half. */
  | { kind: 'narrowed'; atMs: number; gapMs: number; fromMs: number; toMs: number }
  /** The floor is at or below the span's lower end: the client's view already puts recovery after it. */
  | { kind: 'below' }
  /** The recovery came before the gate closed: the floor says nothing of it. */
  | { kind: 'unrelated' }
  /** A write was acknowledged before the floor: the system's record does not hold for this run. */
  | { kind: 'contradicted' };

/** The earliest ack of a write (declared or probe) sent after the gate closed, with the shortest normal answer of either stream. */
export interface EarliestAck {
  ackMs: number;
  minLatencyMs: number;
}

/**
 * Narrow a recovery span by the floor. Above the span's upper end (the first ack minus the fastest normal
 * answer) but before the ack itself, the floor still holds: a commit that waited on the gate is answered
 * as soon as it opens, faster than a normal write's whole round trip, so the upper end becomes the ack.
 * Every write sent after the gate closed went through it, so the earliest ack of any of them (a declared
 * write queued since the outage, answered before the first probe) bounds the upper end as the probe's
 * own ack does.
 */
export function floorRecovery(span: RecoverySpan, floor: RecoveryFloor, earliest?: EarliestAck): FlooredRecovery {
  if (span.ackMs < floor.sinceMs) return { kind: 'unrelated' };
  if (floor.atMs <= span.fromMs) return { kind: 'below' };
  const ackMs = Math.min(span.ackMs, earliest?.ackMs ?? Number.POSITIVE_INFINITY);
  if (floor.atMs >= ackMs) return { kind: 'contradicted' };
  const upperMs = earliest ? Math.min(span.toMs, earliest.ackMs - earliest.minLatencyMs) : span.toMs;
  const toMs = floor.atMs <= upperMs ? upperMs : ackMs;
  return { kind: 'narrowed', atMs: (floor.atMs + toMs) / 2, gapMs: (toMs - floor.atMs) / 2, fromMs: floor.atMs, toMs };
}

/** What a floor did to the drill's recovery edge (result.json measured.recoveryFloor). */
export interface FloorOutcome {
  atMs: number;
  why: string;
  /** narrowed: recovery counted inside [floor, upper]; below: the client's view already put it after the floor; not-tighter: the floored span was no narrower than the client's bound; contradicted: a write was acknowledged before it. */
  effect: 'narrowed' | 'below' | 'not-tighter' | 'contradicted';
}

export function floorNote(floor: RecoveryFloor, f: FlooredRecovery & { kind: 'narrowed' }): string {
  return (
    `recovery floor: ${floor.why} at ${roundMs(floor.atMs)} ms, and no write can be acknowledged before it: recovery lies in ` +
    `[${roundMs(f.fromMs)}, ${roundMs(f.toMs)}] ms, counted at the middle (± ${roundLatencyMs(f.gapMs)} ms)`
  );
}

export function floorContradictedNote(floor: RecoveryFloor, ackMs: number): string {
  return `recovery floor not used: ${floor.why} at ${roundMs(floor.atMs)} ms, but a write was acknowledged at ${roundMs(ackMs)} ms, before it`;
}

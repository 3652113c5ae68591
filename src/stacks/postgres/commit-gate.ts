import type { RecoveryFloor } from '../../measure/recovery-floor.js';
import type { FaultRecord, LogLine, NodeLog } from '../../measure/types.js';
import { effectByMs, goneFault, ownStampOnRunClock } from '../floor-evidence.js';

// A synchronous PostgreSQL primary (synchronous_standby_names set, synchronous_commit on or remote_*)
// holds every commit until a standby confirms it. With no standby connected, the gate is closed; it
// opens when a walsender's standby becomes synchronous, which PostgreSQL logs just before it releases
// the waiting commits (syncrep.c, SyncRepReleaseWaiters: "standby "x" is now a synchronous standby
// with priority n" or "... a candidate for quorum synchronous standby"). That line's own stamp (%m:
// ms, truncated, so never late) is a floor for recovery: no write was acknowledged before it
// (docs/postgres.md "Recovery floor").

export const GATE_OPEN = /standby "[^"]+" is now (?:a synchronous standby with priority \d+|a candidate for quorum synchronous standby)/;
/** log_line_prefix '%m [%p] ': "2026-12-06 14:00:00.123 UTC [57] LOG:  ...". */
const PG_STAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) (?:UTC|GMT) /;

export interface CommitGateInput {
  logs: readonly NodeLog[];
  faults: readonly FaultRecord[];
  /** The PostgreSQL servers' containers. */
  nodes: readonly string[];
  primaryBefore: string | null;
  primaryAfter: string | null;
}

/**
 * The first moment after the fault that the serving primary's gate opened, when it was certainly closed
 * until then: either a standby was promoted after the old primary was killed, stopped or destroyed
 * (and that one did not serve again before it), or the primary stayed and every other server was down
 * at once. Null otherwise, or when the line or its stamps are missing (a remote engine: no run-clock time).
 */
export function commitGateFloor(input: CommitGateInput): RecoveryFloor | null {
  const { primaryBefore, primaryAfter } = input;
  if (!primaryBefore || !primaryAfter) return null;
  let sinceMs: number;
  let oldPrimary: FaultRecord | null = null;
  if (primaryAfter !== primaryBefore) {
    oldPrimary = goneFault(input.faults, primaryBefore);
    if (!oldPrimary) return null;
    sinceMs = effectByMs(oldPrimary);
  } else {
    const others = input.nodes.filter((n) => n !== primaryAfter);
    const gone = others.map((n) => goneFault(input.faults, n));
    if (others.length === 0 || gone.some((f) => f === null)) return null;
    sinceMs = Math.max(...gone.map((f) => effectByMs(f!)));
    // All down at once: none was started again before the last one went.
    if (gone.some((f) => f!.healedAtMs !== undefined && f!.healedAtMs < sinceMs)) return null;
  }
  const log = input.logs.find((l) => l.container === primaryAfter);
  if (!log) return null;
  for (const line of log.lines) {
    if (line.atMs === null || line.atMs <= sinceMs || !GATE_OPEN.test(line.text)) continue;
    const atMs = ownStampMs(line);
    if (atMs === null) return null;
    // Stamped before the gate closed by PostgreSQL's own clock: not this gate's opening.
    if (atMs <= sinceMs) continue;
    // The old primary started again before the gate opened may have served writes meanwhile.
    if (oldPrimary?.healedAtMs !== undefined && oldPrimary.healedAtMs < atMs) return null;
    return { atMs, sinceMs, why: `${log.node} logged "${GATE_OPEN.exec(line.text)![0]}"` };
  }
  return null;
}

/** The line's own PostgreSQL stamp on the run clock, through the engine's stamp of the same line. */
export function ownStampMs(line: LogLine): number | null {
  const m = PG_STAMP.exec(line.text);
  return m ? ownStampOnRunClock(line, Date.parse(`${m[1]!}T${m[2]!}Z`)) : null;
}

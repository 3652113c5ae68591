import type { RecoveryFloor } from '../measure/recovery-floor.js';
import type { FaultRecord, LogLine, NodeLog } from '../measure/types.js';
import { cutOffFault, effectByMs, ownStampOnRunClock } from './floor-evidence.js';

// The fixture app writes through one pool to the primary it was last pointed at; a runbook's repoint
// makes a new pool, and the app logs that pool's first connection with its own stamp before any write is
// sent on it (fixtures/app/pool-stamp.js). After a repoint away from a primary that was killed, stopped,
// destroyed or cut off from every app, no write was acknowledged before that connection: a recovery
// floor. Writes queued in the app while it reconnects are answered together after it, so the client's
// bracket of recovery is as wide as the reconnection (docs/design.md "Recovery floor").

const FIRST_CONNECTION = /^primary pool connected to (\S+) at (\d+)$/;

export interface AppConnectInput {
  logs: readonly NodeLog[];
  faults: readonly FaultRecord[];
  /** The fixture app's containers: each serves writes through its own pool. */
  apps: readonly string[];
  primaryBefore: string | null;
}

/**
 * The earliest first connection of any app after the old primary was cut off from all of them; null when any
 * app lacks one or went back to the old primary. The node it went to need not be the run's last primary:
 * after a failback it is the old one again, and the floor is the first repoint's. Whichever node a new pool
 * reached first, no write was acknowledged before some new pool connected.
 */
export function appConnectFloor(input: AppConnectInput): RecoveryFloor | null {
  const { primaryBefore, apps } = input;
  if (!primaryBefore || apps.length === 0) return null;
  const cut = cutOffFault(input.faults, primaryBefore, apps);
  if (!cut) return null;
  const sinceMs = effectByMs(cut);
  let first: { atMs: number; node: string; text: string } | null = null;
  for (const app of apps) {
    const log = input.logs.find((l) => l.container === app);
    const found = log ? firstConnection(log.lines, sinceMs) : null;
    // An app that did not reconnect, or went back to the old primary, may have served writes some other way.
    if (!found || found.host === primaryBefore) return null;
    if (!first || found.atMs < first.atMs) first = { atMs: found.atMs, node: log!.node, text: found.text };
  }
  if (!first) return null;
  // The old primary back before the floor may have served writes meanwhile.
  if (cut.healedAtMs !== undefined && cut.healedAtMs < first.atMs) return null;
  return { atMs: first.atMs, sinceMs, why: `${first.node} logged "${first.text}"` };
}

/** The first pool connection the app stamped after sinceMs (by its own clock), on the run clock. */
function firstConnection(lines: readonly LogLine[], sinceMs: number): { atMs: number; host: string; text: string } | null {
  for (const line of lines) {
    if (line.atMs === null || line.atMs <= sinceMs) continue;
    const m = FIRST_CONNECTION.exec(line.text.trim());
    if (!m) continue;
    const atMs = ownStampOnRunClock(line, Number(m[2]));
    if (atMs === null) return null;
    if (atMs <= sinceMs) continue;
    return { atMs, host: m[1]!, text: `primary pool connected to ${m[1]!}` };
  }
  return null;
}

import type { RecoveryFloor } from '../../measure/recovery-floor.js';
import type { FaultRecord, LogLine, NodeLog } from '../../measure/types.js';
import { goneByMs, goneFault, ownStampedMatches } from '../../stacks/floor-evidence.js';
import { CHECK_LINE } from './config.js';
import { soleVipHolder } from './vip-floor.js';

// The database front door's recovery floor. With `front: database` the app reaches the databases only
// through the VIP's HAProxy, which sends writes to a server only once its external check (read_only = 0)
// passed `rise` times in a row. After the old primary was killed, stopped or destroyed, no write can be
// acknowledged before the promoted node was put in by the HAProxy that held the VIP. Each check stamps
// its verdict just before it exits (config.ts writableCheckScript), and HAProxy counts a check only once
// it exited: the pass that made the server UP is stamped before it. The connections the app opened in
// the outage wait in HAProxy's queue and are answered together after it, so the client's bracket of
// recovery is as wide as that wait (docs/load-balancers.md).

const CHECK = new RegExp(`^${CHECK_LINE} (\\d{13,19}) (\\S+) (pass|fail)$`);

export interface CheckFloorInput {
  logs: readonly NodeLog[];
  faults: readonly FaultRecord[];
  vip: string;
  lbContainers: readonly string[];
  rise: number;
  fall: number;
  /** The stack's primary before and after the failover (containers). */
  primaryBefore: string | null;
  primaryAfter: string | null;
}

interface Check {
  atMs: number;
  pass: boolean;
}

/** The moment the VIP holder's HAProxy put the promoted node in, after the old primary was gone. */
export function writableCheckFloor(input: CheckFloorInput): RecoveryFloor | null {
  const { primaryBefore, primaryAfter } = input;
  if (!primaryBefore || !primaryAfter || primaryBefore === primaryAfter) return null;
  const gone = goneFault(input.faults, primaryBefore);
  const sinceMs = gone ? goneByMs(gone) : null;
  if (!gone || sinceMs === null) return null;
  const server = input.logs.find((l) => l.container === primaryAfter)?.node;
  if (!server) return null;
  let floor: { atMs: number; lb: string } | null = null;
  for (const lb of input.lbContainers) {
    const log = input.logs.find((l) => l.container === lb);
    const checks = log ? checksOf(log.lines, server) : null;
    const upAtMs = checks ? putInAfter(checks, input.rise, input.fall, sinceMs) : null;
    // Only the HAProxy that held the VIP alone from the old primary's end to then carried the writes.
    if (upAtMs !== null && soleVipHolder(input.logs, input.lbContainers, input.vip, sinceMs, upAtMs) === lb) floor = { atMs: upAtMs, lb: log!.node };
  }
  if (!floor) return null;
  // The old primary back before the floor may have served writes meanwhile.
  if (gone.healedAtMs !== undefined && gone.healedAtMs < floor.atMs) return null;
  if (input.faults.some((f) => f !== gone && f.container === primaryBefore && f.injectedAtMs < floor.atMs)) return null;
  return { atMs: floor.atMs, sinceMs, why: `${floor.lb}'s HAProxy check of ${server} passed the ${ordinal(input.rise)} time in a row (read_only = 0)` };
}

/**
 * The last check of the `rise` passes in a row that put the server in, after at least `fall` failures in a
 * row had taken it out (HAProxy's own counting), stamped after sinceMs; null when there was none.
 */
export function putInAfter(checks: readonly Check[], rise: number, fall: number, sinceMs: number): number | null {
  let out = false;
  let fails = 0;
  let passes = 0;
  for (const c of checks) {
    if (!c.pass) {
      passes = 0;
      fails++;
      if (fails >= fall) out = true;
      continue;
    }
    fails = 0;
    if (!out) continue;
    passes++;
    if (passes < rise) continue;
    if (c.atMs > sinceMs) return c.atMs;
    out = false;
    passes = 0;
  }
  return null;
}

/** The checks of one server on one LB node, in order, on the run clock; null when a stamp cannot be placed on it. */
function checksOf(lines: readonly LogLine[], server: string): Check[] | null {
  return ownStampedMatches(
    lines,
    CHECK,
    (m) => m[2] === server,
    (atMs, m) => ({ atMs, pass: m[3] === 'pass' }),
  );
}

const ordinal = (n: number): string => (n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`);

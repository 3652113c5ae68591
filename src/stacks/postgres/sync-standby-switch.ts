import type { RecoveryFloor } from '../../measure/recovery-floor.js';
import type { FaultRecord, NodeLog } from '../../measure/types.js';
import { effectByMs, goneByMs, goneFault } from '../floor-evidence.js';
import { GATE_OPEN, ownStampMs } from './commit-gate.js';

// A primary whose commits wait for one standby chosen by priority (Patroni's synchronous_mode, or
// synchronous_standby_names 'FIRST 1 (...)'). When that standby is taken away, every commit waits until
// another one is named and its walsender announces it ("standby "x" is now a synchronous standby with
// priority n", syncrep.c, logged just before the waiting commits are released), or until
// synchronous_standby_names is emptied (Patroni's non-strict mode with no standby left: the reload's
// "parameter ... changed to """ line comes before the release). The first of those lines after the
// standby died is a floor for the stall's recovery (docs/patroni.md "Recovery floor").

const PRIORITY_OPEN = /standby "([^"]+)" is now a synchronous standby with priority \d+/;
const EMPTIED = /parameter "synchronous_standby_names" changed to ""\s*$/;

export interface SyncStandbySwitchInput {
  logs: readonly NodeLog[];
  faults: readonly FaultRecord[];
  /** The PostgreSQL servers' containers, named by their node name in synchronous_standby_names (container `drill-<token>-pg-2`: `pg-2`). */
  nodes: readonly string[];
  primaryBefore: string | null;
  primaryAfter: string | null;
}

/**
 * The stall's floor when the primary stayed and its one synchronous standby was taken away: the standby the
 * primary last announced as synchronous before it died is the one that died, and the primary's next
 * announcement (or the emptied setting) after that is when commits could be acknowledged again. Null when
 * any link of that is missing.
 */
export function syncStandbySwitchFloor(input: SyncStandbySwitchInput): RecoveryFloor | null {
  const { primaryBefore, primaryAfter } = input;
  if (!primaryBefore || primaryAfter !== primaryBefore) return null;
  const log = input.logs.find((l) => l.container === primaryAfter);
  if (!log) return null;
  const gone = input.nodes
    .filter((n) => n !== primaryAfter)
    .map((n) => ({ node: n, fault: goneFault(input.faults, n) }))
    .filter((g): g is { node: string; fault: FaultRecord } => g.fault !== null);
  for (const { node, fault } of gone) {
    // The standby's processes may outlive the signal by a few ms (its container's exit bounds them).
    const sinceMs = Math.max(effectByMs(fault), goneByMs(fault) ?? Number.NEGATIVE_INFINITY);
    let syncBefore: string | null = null;
    for (const line of log.lines) {
      if (line.atMs === null) return null;
      if (line.atMs > sinceMs) {
        if (syncBefore === null || !node.endsWith(`-${syncBefore}`)) break;
        if (!GATE_OPEN.test(line.text) && !EMPTIED.test(line.text)) continue;
        const atMs = ownStampMs(line);
        if (atMs === null || atMs <= sinceMs) return null;
        // Started again before the switch: it may have confirmed commits itself.
        if (fault.healedAtMs !== undefined && fault.healedAtMs < atMs) return null;
        const what = GATE_OPEN.exec(line.text)?.[0] ?? 'parameter "synchronous_standby_names" changed to ""';
        return { atMs, sinceMs, why: `${log.node} logged "${what}"` };
      }
      const open = PRIORITY_OPEN.exec(line.text);
      if (open) syncBefore = open[1]!;
      else if (EMPTIED.test(line.text)) syncBefore = null;
    }
  }
  return null;
}

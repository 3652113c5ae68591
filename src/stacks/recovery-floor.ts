import { latestFloor, type RecoveryFloor } from '../measure/recovery-floor.js';
import type { FaultRecord, NodeLog } from '../measure/types.js';
import type { StackSpec } from '../spec/schema.js';
import { assertNever } from '../util/assert-never.js';
import { appConnectFloor } from './app-connect-floor.js';
import { commitGateFloor } from './postgres/commit-gate.js';
import { syncStandbySwitchFloor } from './postgres/sync-standby-switch.js';

export interface RecoveryFloorInput {
  logs: readonly NodeLog[];
  faults: readonly FaultRecord[];
  containers: readonly { name: string; role: string }[];
  primaryBefore: string | null;
  primaryAfter: string | null;
}

/**
 * The stack's own record of the earliest moment writes could be acknowledged again (measure/recovery-floor.ts),
 * where its design has one: a PostgreSQL primary whose commits wait for a synchronous standby, and the
 * fixture app's first connection to the primary a runbook repointed it to (the later of the two: both hold).
 */
export function recoveryFloorOf(stack: StackSpec, input: RecoveryFloorInput): RecoveryFloor | null {
  switch (stack.kind) {
    case 'postgres': {
      const r = stack.replication;
      // 'local' and 'off' commit without a standby: no gate.
      const waits = r.synchronousStandbyNames.trim() !== '' && (r.synchronousCommit === 'on' || r.synchronousCommit === 'remote_write' || r.synchronousCommit === 'remote_apply');
      const nodes = dataNodes(input, 'db');
      return latestFloor([
        waits ? commitGateFloor({ ...input, nodes }) : null,
        waits && onePriorityStandby(r.synchronousStandbyNames) ? syncStandbySwitchFloor({ ...input, nodes }) : null,
        appConnectFloor({ ...input, apps: dataNodes(input, 'app') }),
      ]);
    }
    case 'patroni': {
      // The app reaches the leader through HAProxy: never repointed. Patroni names one synchronous standby
      // (synchronous_node_count 1); every standby down is a closed gate only in strict mode (otherwise
      // Patroni turns synchronous replication off and commits go on, which the switch's floor reads).
      if (!stack.patroni.synchronousMode) return null;
      const nodes = dataNodes(input, 'pg');
      return latestFloor([stack.patroni.synchronousModeStrict ? commitGateFloor({ ...input, nodes }) : null, syncStandbySwitchFloor({ ...input, nodes })]);
    }
    case 'mysql-replication':
      // Asynchronous or semi-synchronous with a timeout (MariaDB falls back to asynchronous): no commit gate that stays closed.
      return appConnectFloor({ ...input, apps: dataNodes(input, 'app') });
    case 'redis-sentinel':
    case 'compose':
      // The app finds the master through Sentinel (no repoint), or is the user's own: no record of either kind.
      return null;
    default:
      return assertNever(stack, 'stack kind');
  }
}

/**
 * synchronous_standby_names that makes commits wait for exactly one standby chosen by priority: a plain
 * list or 'FIRST 1 (...)' / '1 (...)'; not 'ANY n' (a quorum: another standby confirms at once), not n > 1.
 */
export function onePriorityStandby(names: string): boolean {
  const m = /^\s*(ANY\s+|FIRST\s+)?(\d+)\s*\(/i.exec(names);
  if (!m) return !/^\s*ANY\b/i.test(names) && names.trim() !== '';
  return !/^ANY/i.test(m[1] ?? '') && Number(m[2]) === 1;
}

function dataNodes(input: RecoveryFloorInput, role: string): string[] {
  return input.containers.filter((c) => c.role === role).map((c) => c.name);
}

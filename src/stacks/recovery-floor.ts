import type { RecoveryFloor } from '../measure/recovery-floor.js';
import type { FaultRecord, NodeLog } from '../measure/types.js';
import type { StackSpec } from '../spec/schema.js';
import { assertNever } from '../util/assert-never.js';
import { commitGateFloor } from './postgres/commit-gate.js';

export interface RecoveryFloorInput {
  logs: readonly NodeLog[];
  faults: readonly FaultRecord[];
  containers: readonly { name: string; role: string }[];
  primaryBefore: string | null;
  primaryAfter: string | null;
}

/**
 * The stack's own record of the earliest moment writes could be acknowledged again (measure/recovery-floor.ts),
 * where its design has one: a PostgreSQL primary whose commits wait for a synchronous standby.
 */
export function recoveryFloorOf(stack: StackSpec, input: RecoveryFloorInput): RecoveryFloor | null {
  switch (stack.kind) {
    case 'postgres': {
      const r = stack.replication;
      // 'local' and 'off' commit without a standby: no gate.
      const waits = r.synchronousStandbyNames.trim() !== '' && (r.synchronousCommit === 'on' || r.synchronousCommit === 'remote_write' || r.synchronousCommit === 'remote_apply');
      return waits ? commitGateFloor({ ...input, nodes: dataNodes(input, 'db') }) : null;
    }
    case 'patroni':
      // Only strict: otherwise Patroni turns synchronous replication off when no standby is left, and commits go on.
      return stack.patroni.synchronousMode && stack.patroni.synchronousModeStrict ? commitGateFloor({ ...input, nodes: dataNodes(input, 'pg') }) : null;
    case 'redis-sentinel':
    case 'mysql-replication':
    case 'compose':
      // Asynchronous or semi-synchronous with a timeout (MariaDB falls back to asynchronous): no gate that stays closed.
      return null;
    default:
      return assertNever(stack, 'stack kind');
  }
}

function dataNodes(input: RecoveryFloorInput, role: string): string[] {
  return input.containers.filter((c) => c.role === role).map((c) => c.name);
}

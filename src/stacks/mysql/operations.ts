import type { PlannedOperations } from '../stack.js';
import type { MysqlCluster } from './cluster.js';
import { rejoin } from './rejoin.js';
import { switchover } from './switchover.js';

// Planned operations of the DR cycle for MySQL/MariaDB replication: switchover (switchover.ts), rejoin
// (rejoin.ts, reclone.ts for errant: rebuild). A failback is a switchover back (src/runbook/failback.ts).

export function createOperations(c: MysqlCluster): PlannedOperations {
  return {
    switchover: (opts) => switchover(c, opts),
    rejoin: (opts) => rejoin(c, opts),
  };
}

import { InfraError } from '../../util/errors.js';
import type { PlannedOperations } from '../stack.js';
import type { MysqlCluster } from './cluster.js';

// Planned operations of the DR cycle for MySQL/MariaDB replication (switchover, rejoin; failback is a
// switchover back). To be implemented.

export function createOperations(_c: MysqlCluster): PlannedOperations {
  return {
    switchover: () => Promise.reject(new InfraError('switchover is not implemented yet for mysql-replication')),
    rejoin: () => Promise.reject(new InfraError('rejoin is not implemented yet for mysql-replication')),
  };
}

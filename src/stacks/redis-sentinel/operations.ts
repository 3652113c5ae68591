import { InfraError } from '../../util/errors.js';
import type { PlannedOperations } from '../stack.js';

// Planned operations of the DR cycle for Redis with Sentinel (switchover, rejoin; failback is a
// switchover back). To be implemented.

export function createOperations(): PlannedOperations {
  return {
    switchover: () => Promise.reject(new InfraError('switchover is not implemented yet for redis-sentinel')),
    rejoin: () => Promise.reject(new InfraError('rejoin is not implemented yet for redis-sentinel')),
  };
}

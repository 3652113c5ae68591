import type { PlannedOperations } from '../stack.js';
import type { OpsContext } from './ops-context.js';
import { rejoin } from './rejoin.js';
import { switchover } from './switchover.js';

// Planned operations of the DR cycle for Redis with Sentinel: switchover (switchover.ts), rejoin
// (rejoin.ts); failback is a switchover back to the original master (src/runbook/failback.ts).

export function createOperations(ctx: OpsContext): PlannedOperations {
  return {
    switchover: (opts) => switchover(ctx, opts),
    // errant: Redis has no errant set (rejoin.ts), so `fail` and `rebuild` do the same.
    rejoin: (opts) => rejoin(ctx, opts),
  };
}

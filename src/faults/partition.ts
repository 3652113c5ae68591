import { injectPartition } from './network/partition.js';
import type { FaultPlugin } from './plugin.js';

/** Groups of nodes that cannot reach each other (or, oneWay, groups[0] cannot send to the others): iptables DROP in each node's namespace. */
export const partition: FaultPlugin<'partition'> = { kind: 'partition', network: true, inject: injectPartition };

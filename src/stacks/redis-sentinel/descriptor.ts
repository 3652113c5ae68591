import { nodeNames, nodeRange } from '../node-names.js';
import type { StackDescriptor } from '../plugin.js';

/** Redis master + replicas + Sentinels: Sentinel fails over by itself. */
export const redisSentinelDescriptor: StackDescriptor<'redis-sentinel'> = {
  kind: 'redis-sentinel',
  images: (spec) => ({ needed: ['redis', 'app'], ...(spec.image ? { override: { key: 'redis', image: spec.image } } : {}) }),
  runbook: () => ({ ok: false, why: 'needs stack kind mysql-replication, got redis-sentinel: Redis fails over by itself (Sentinel promotes a replica); remove this step' }),
  operations: () => ({ ok: true }),
  targets: (spec) => ({
    roles: ['primary', 'replica', 'any-replica', 'sentinel', 'app'],
    groupRoles: ['replicas', 'sentinels', 'apps'],
    nodes: [...nodeNames('redis', 1, spec.replicas + 1), ...nodeNames('sentinel', 1, spec.sentinels), ...nodeNames('app', 1, spec.apps)],
    nodesText: `${nodeRange('redis', 1, spec.replicas + 1)}, ${nodeRange('sentinel', 1, spec.sentinels)}, ${nodeRange('app', 1, spec.apps)}`,
  }),
  data: () => 'redis',
  detector: () => null,
};

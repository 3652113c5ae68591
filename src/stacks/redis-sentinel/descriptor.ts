import type { StackDescriptor } from '../plugin.js';

/** Redis master + replicas + Sentinels: Sentinel fails over by itself. */
export const redisSentinelDescriptor: StackDescriptor<'redis-sentinel'> = {
  kind: 'redis-sentinel',
  images: (spec) => ({ needed: ['redis', 'app'], ...(spec.image ? { override: { key: 'redis', image: spec.image } } : {}) }),
  runbook: () => ({ ok: false, why: 'needs stack kind mysql-replication, got redis-sentinel: Redis fails over by itself (Sentinel promotes a replica); remove this step' }),
  data: () => 'redis',
  detector: () => null,
};

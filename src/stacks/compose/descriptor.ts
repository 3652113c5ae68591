import type { StackDescriptor } from '../plugin.js';

/** Your own running stack: nothing is started, so no image of drill's is needed (network faults check their helper image themselves). */
export const composeDescriptor: StackDescriptor<'compose'> = {
  kind: 'compose',
  images: () => ({ needed: [] }),
  runbook: (spec) =>
    spec.system !== 'redis-sentinel'
      ? { ok: true }
      : { ok: false, why: `needs stack.system mysql-replication or postgres, got ${spec.system}: Redis fails over by itself (Sentinel promotes a replica); remove this step` },
  // The nodes are found at run time: redis-N, sentinel-N or db-N in name order, and app-1.
  operations: () => ({
    ok: false,
    why: 'needs a stack drill starts (redis-sentinel, mysql-replication or postgres), got compose: switchover, rejoin and failback change who is primary on nodes drill does not own; run them with your own tooling and drill measures the result with faults',
  }),
  targets: (spec) =>
    spec.system === 'redis-sentinel'
      ? {
          roles: ['primary', 'replica', 'any-replica', 'sentinel', 'app'],
          groupRoles: ['replicas', 'sentinels', 'apps'],
          nodes: ['app-1'],
          nodesText: 'redis-1 …, sentinel-1 …, app-1, found at run time',
          nodePattern: /^(redis|sentinel)-[1-9]\d*$|^app-1$/,
        }
      : {
          roles: ['primary', 'replica', 'any-replica', 'app'],
          groupRoles: ['replicas', 'apps'],
          nodes: ['app-1'],
          nodesText: 'db-1 …, app-1, found at run time',
          nodePattern: /^db-[1-9]\d*$|^app-1$/,
        },
  data: (spec) => (spec.system === 'redis-sentinel' ? 'redis' : spec.system === 'postgres' ? 'postgres' : 'mysql'),
  detector: () => null,
};

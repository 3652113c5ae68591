import type { StackDescriptor } from '../plugin.js';

/** Your own running stack: nothing is started, so no image of drill's is needed (network faults check their helper image themselves). */
export const composeDescriptor: StackDescriptor<'compose'> = {
  kind: 'compose',
  images: () => ({ needed: [] }),
  runbook: (spec) =>
    spec.system === 'mysql-replication'
      ? { ok: true }
      : { ok: false, why: `needs stack.system mysql-replication, got ${spec.system}: Redis fails over by itself (Sentinel promotes a replica); remove this step` },
  data: (spec) => (spec.system === 'redis-sentinel' ? 'redis' : 'mysql'),
  detector: () => null,
};

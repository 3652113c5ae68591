import { nodeNames, nodeRange } from '../node-names.js';
import type { StackDescriptor } from '../plugin.js';

/** PostgreSQL streaming replication: failover is a runbook, run by the steps or by drill's detector. */
export const postgresDescriptor: StackDescriptor<'postgres'> = {
  kind: 'postgres',
  images: (spec) => ({ needed: ['postgres', 'app'], ...(spec.image ? { override: { key: 'postgres', image: spec.image } } : {}) }),
  runbook: (spec) =>
    spec.failover.mode === 'auto'
      ? {
          ok: false,
          why: "with stack.failover.mode auto: drill's detector runs the runbook (promote, repoint) by itself when the primary dies; remove this step, or set failover.mode: runbook to run the steps yourself",
        }
      : { ok: true },
  operations: () => ({ ok: true }),
  targets: (spec) => ({
    roles: ['primary', 'replica', 'any-replica', 'app'],
    groupRoles: ['replicas', 'apps'],
    nodes: [...nodeNames('pg', 1, spec.replicas + 1), 'app-1'],
    nodesText: `${nodeRange('pg', 1, spec.replicas + 1)}, app-1`,
  }),
  data: () => 'postgres',
  detector: (spec) =>
    spec.failover.mode === 'auto'
      ? { checkIntervalMs: spec.failover.checkIntervalMs, failureThreshold: spec.failover.failureThreshold, checkTimeoutMs: spec.failover.checkTimeoutMs, catchUp: spec.failover.catchUp }
      : null,
};

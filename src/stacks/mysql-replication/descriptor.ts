import { nodeNames, nodeRange } from '../node-names.js';
import type { StackDescriptor } from '../plugin.js';

/** MariaDB/MySQL with GTID replication: failover is a runbook, run by the steps or by drill's detector. */
export const mysqlReplicationDescriptor: StackDescriptor<'mysql-replication'> = {
  kind: 'mysql-replication',
  images: (spec) => ({ needed: ['mysql', 'app'], ...(spec.image ? { override: { key: 'mysql', image: spec.image } } : {}) }),
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
    nodes: [...nodeNames('db', 1, spec.replicas + 1), 'app-1'],
    nodesText: `${nodeRange('db', 1, spec.replicas + 1)}, app-1`,
  }),
  data: () => 'mysql',
  detector: (spec) =>
    spec.failover.mode === 'auto'
      ? { checkIntervalMs: spec.failover.checkIntervalMs, failureThreshold: spec.failover.failureThreshold, checkTimeoutMs: spec.failover.checkTimeoutMs, catchUp: spec.failover.catchUp }
      : null,
};

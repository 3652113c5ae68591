import { nodeNames, nodeRange } from '../node-names.js';
import type { StackDescriptor } from '../plugin.js';

/** Patroni + etcd + HAProxy: Patroni fails over by itself; roles are asked of its REST API. */
export const patroniDescriptor: StackDescriptor<'patroni'> = {
  kind: 'patroni',
  images: () => ({ needed: ['patroni', 'app'] }),
  runbook: () => ({ ok: false, why: 'needs stack kind mysql-replication, got patroni: Patroni fails over by itself (a replica takes the leader lock in etcd); remove this step' }),
  operations: () => ({ ok: false, why: 'is not built for a patroni stack yet (patronictl switchover would be its way): remove this step' }),
  targets: (spec) => ({
    roles: ['leader', 'primary', 'replica', 'any-replica', 'sync-standby', 'etcd', 'etcd-leader', 'haproxy', 'app'],
    groupRoles: ['replicas', 'etcds', 'apps'],
    nodes: [...nodeNames('pg', 1, spec.nodes), ...nodeNames('etcd', 1, spec.etcd), 'haproxy-1', 'app-1'],
    nodesText: `${nodeRange('pg', 1, spec.nodes)}, ${nodeRange('etcd', 1, spec.etcd)}, haproxy-1, app-1`,
  }),
  data: () => 'postgres',
  detector: () => null,
};

import type { StackPlugin } from '../plugin.js';
import { mysqlReplicationDescriptor } from './descriptor.js';

/** MariaDB/MySQL primary + replicas with GTID replication + the fixture app; a runbook instead of an automatic failover. */
export const mysqlReplication: StackPlugin<'mysql-replication'> = {
  ...mysqlReplicationDescriptor,
  // Loaded on demand: a Redis drill never loads the MySQL client.
  start: (ctx, spec) => import('./start.js').then((m) => m.startMysqlReplication({ ...ctx, images: { mysql: ctx.images.mysql, app: ctx.images.app } }, spec)),
};

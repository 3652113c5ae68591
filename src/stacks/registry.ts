import type { StackPlugin, StackPlugins, StackKind, StackSpecOf } from './plugin.js';
import { redisSentinel } from './redis-sentinel/index.js';
import { mysqlReplication } from './mysql-replication/index.js';
import { compose } from './compose/index.js';
import { postgres } from './postgres/index.js';
import { patroni } from './patroni/index.js';

// Every stack kind of the schema and its plugin. The mapped type makes a kind without a plugin (or a
// plugin for no kind) a compile error. Each plugin loads its client libraries only when it starts.
export const stackPlugins = {
  'redis-sentinel': redisSentinel,
  'mysql-replication': mysqlReplication,
  postgres,
  patroni,
  compose,
} satisfies StackPlugins;

export function pluginOf<K extends StackKind>(spec: StackSpecOf<K>, plugins: StackPlugins = stackPlugins): StackPlugin<K> {
  return plugins[spec.kind];
}

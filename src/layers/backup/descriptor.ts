import type { StackSpec } from '../../spec/schema.js';
import { descriptorOf } from '../../stacks/descriptors.js';
import type { DataKind } from '../../stacks/plugin.js';
import type { LayerDescriptor, LayerSpecOf } from '../plugin.js';
import type { BackupMethod } from '../result.js';

/** The backup methods each kind of data node has (docs/backup.md). */
const METHODS: Record<DataKind, readonly BackupMethod[]> = { redis: ['rdb', 'aof'], mysql: ['dump', 'physical'], postgres: [] };

export function backupMethod(spec: LayerSpecOf<'backup'>, stack: StackSpec): BackupMethod {
  return spec.method ?? METHODS[descriptorOf(stack).data(stack)][0]!;
}

/** A backup store on a second site: drill's own image for the stack's data, beside any stack with that data. */
export const backupDescriptor: LayerDescriptor<'backup'> = {
  kind: 'backup',
  images: (_spec, stack) => [descriptorOf(stack).data(stack) === 'redis' ? 'redis' : 'mysql'],
  fits: (spec, stack) => {
    const data = descriptorOf(stack).data(stack);
    if (METHODS[data].length === 0) return { ok: false, key: 'kind', why: `expected Redis or MariaDB/MySQL data: no backup method for ${data} is built yet (docs/postgres.md)` };
    const method = backupMethod(spec, stack);
    if (spec.binlogArchive && data !== 'mysql') return { ok: false, key: 'binlogArchive', why: `expected MariaDB/MySQL data for binlogArchive (a binlog is theirs), got ${data} data` };
    if (spec.incrementals > 0 && method !== 'physical') return { ok: false, key: 'incrementals', why: `expected method: physical for incrementals (mariadb-backup), got "${method}"` };
    // aof copies the file the primary writes: Redis must be writing one (stack.redisConfig.appendonly: "yes").
    if (method === 'aof' && (stack.kind !== 'redis-sentinel' || String(stack.redisConfig.appendonly) !== 'yes'))
      return {
        ok: false,
        key: 'method',
        why: 'expected a redis-sentinel stack with redisConfig: { appendonly: "yes", appendfsync: always|everysec|no } for method aof: it copies the AOF the primary writes',
      };
    if (METHODS[data].includes(method)) return { ok: true };
    return {
      ok: false,
      key: 'method',
      why: `expected a backup method of ${data} data (${METHODS[data].join(', ')}), got "${method}": rdb snapshots Redis, aof copies its append-only file, dump is mariadb-dump of MariaDB/MySQL, physical is mariadb-backup of MariaDB`,
    };
  },
};

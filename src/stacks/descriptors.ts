import { composeDescriptor } from './compose/descriptor.js';
import { mysqlReplicationDescriptor } from './mysql-replication/descriptor.js';
import { postgresDescriptor } from './postgres/descriptor.js';
import type { StackDescriptor, StackDescriptors, StackKind, StackSpecOf } from './plugin.js';
import { redisSentinelDescriptor } from './redis-sentinel/descriptor.js';
import { patroniDescriptor } from './patroni/descriptor.js';

// Every stack kind's descriptor (no client library behind it): what validation and preflight need.
export const stackDescriptors = {
  'redis-sentinel': redisSentinelDescriptor,
  'mysql-replication': mysqlReplicationDescriptor,
  postgres: postgresDescriptor,
  patroni: patroniDescriptor,
  compose: composeDescriptor,
} satisfies StackDescriptors;

/** The descriptor of a spec's kind, typed for that spec. */
export function descriptorOf<K extends StackKind>(spec: StackSpecOf<K>): StackDescriptor<K> {
  return stackDescriptors[spec.kind] as unknown as StackDescriptor<K>;
}

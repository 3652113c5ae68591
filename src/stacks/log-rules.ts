import type { LogRule } from '../measure/log-events.js';
import type { StackSpec } from '../spec/schema.js';
import type { DataKind } from './plugin.js';
import { descriptorOf } from './descriptors.js';
import { MYSQL_LOG_RULES } from './mysql/log-rules.js';
import { PATRONI_LOG_RULES } from './patroni/log-rules.js';
import { POSTGRES_LOG_RULES } from './postgres/log-rules.js';
import { REDIS_LOG_RULES } from './redis/log-rules.js';

/** The log lines worth a timeline event, by what the data nodes run (built-in and compose stacks alike). */
export const LOG_RULES: Record<DataKind, readonly LogRule[]> = { redis: REDIS_LOG_RULES, mysql: MYSQL_LOG_RULES, postgres: POSTGRES_LOG_RULES };

/** A stack's log rules: a patroni stack's etcd and HAProxy speak too, beside the data nodes. */
export function logRulesFor(stack: StackSpec): readonly LogRule[] {
  return stack.kind === 'patroni' ? PATRONI_LOG_RULES : LOG_RULES[descriptorOf(stack).data(stack)];
}

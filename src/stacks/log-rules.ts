import type { LogRule } from '../measure/log-events.js';
import type { DataKind } from './plugin.js';
import { MYSQL_LOG_RULES } from './mysql/log-rules.js';
import { POSTGRES_LOG_RULES } from './postgres/log-rules.js';
import { REDIS_LOG_RULES } from './redis/log-rules.js';

/** The log lines worth a timeline event, by what the data nodes run (built-in and compose stacks alike). */
export const LOG_RULES: Record<DataKind, readonly LogRule[]> = { redis: REDIS_LOG_RULES, mysql: MYSQL_LOG_RULES, postgres: POSTGRES_LOG_RULES };

import type { LogRule } from '../../measure/log-events.js';

// Lines Redis 7 writes when its replication changes (checked against the servers of this project's
// images: docs/logs.md). Sentinel's own events come live over Pub/Sub and are only linked to its log.
export const REDIS_LOG_RULES: readonly LogRule[] = [
  { pattern: /Connection with master lost/, marker: 'replica-link-lost', meaning: 'replica lost its primary' },
  { pattern: /MASTER <-> REPLICA sync: Finished with success/, marker: 'replica-link-up', meaning: 'replica synced with its primary' },
  { pattern: /MASTER MODE enabled/, marker: 'node-promoted', meaning: 'became primary' },
  // An old master rejoining after a partition stops taking writes here: the end of a split brain.
  { pattern: /REPLICAOF \S+ enabled/, marker: 'node-demoted', meaning: 'became a replica' },
  { pattern: /Ready to accept connections/, marker: 'node-ready', meaning: 'server ready' },
  { pattern: /Received SIG(TERM|INT)|User requested shutdown/, marker: 'node-shutdown', meaning: 'server shutting down' },
  // After a restart (power back): what the server found on its disk (docs/power-loss.md).
  { pattern: /DB loaded from (append only file|disk)/, marker: 'data-loaded', meaning: 'loaded its data from disk' },
  { pattern: /short read while loading the AOF|AOF loaded anyway|Bad file format reading the append only file/, marker: 'data-truncated', meaning: 'its append-only file was cut short' },
  { pattern: /Background saving terminated with success/, marker: 'snapshot-saved', meaning: 'snapshot (RDB) saved' },
];

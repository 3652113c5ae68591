import type { LogRule } from '../../measure/log-events.js';

// Lines PostgreSQL 15 writes to its log (the container's stderr) when a server or its replication
// changes state (checked against the servers of drill's image: docs/postgres.md).
/** A standby starts confirming commits (priority or quorum synchronous_standby_names): the commit gate opens (commit-gate.ts). */
export const SYNC_STANDBY_ON = /is now (?:a synchronous standby|a candidate for quorum synchronous standby)/;

export const POSTGRES_LOG_RULES: readonly LogRule[] = [
  { pattern: /database system is ready to accept read-only connections/, marker: 'node-ready', meaning: 'standby ready (read-only)' },
  { pattern: /database system is ready to accept connections/, marker: 'node-ready', meaning: 'server ready' },
  { pattern: /received promote request/, marker: 'node-promoted', meaning: 'promote requested' },
  { pattern: /selected new timeline ID/, marker: 'new-timeline', meaning: 'new timeline' },
  { pattern: /started streaming WAL from primary|restarted WAL streaming at/, marker: 'replica-link-up', meaning: 'standby streaming from its primary' },
  {
    pattern: /could not connect to the primary server|replication terminated by primary server|could not receive data from WAL stream|terminating walreceiver/,
    marker: 'replica-link-lost',
    meaning: 'standby lost its primary',
  },
  { pattern: /received (fast|smart|immediate) shutdown request/, marker: 'node-shutdown', meaning: 'server shutting down' },
  { pattern: SYNC_STANDBY_ON, marker: 'semi-sync-on', meaning: 'a synchronous standby: commits wait for it' },
];

import type { LogRule } from '../../measure/log-events.js';

// Lines MariaDB 10.11 writes to its error log (the container's stderr) when replication or the server
// changes state (checked against the servers of this project's images: docs/logs.md).
export const MYSQL_LOG_RULES: readonly LogRule[] = [
  { pattern: /Slave I\/O: error (reconnecting|connecting) to master|Slave I\/O thread: Failed reading log event/, marker: 'replica-link-lost', meaning: 'replica lost its primary' },
  { pattern: /Slave I\/O thread: connected to master/, marker: 'replica-link-up', meaning: 'replica connected to its primary' },
  { pattern: /ready for connections/, marker: 'node-ready', meaning: 'server ready' },
  { pattern: /Normal shutdown/, marker: 'node-shutdown', meaning: 'server shutting down' },
  { pattern: /Semi-sync replication switched OFF/, marker: 'semi-sync-off', meaning: 'semi-sync off: commits no longer wait for a replica' },
  { pattern: /Semi-sync replication switched ON/, marker: 'semi-sync-on', meaning: 'semi-sync on again' },
];

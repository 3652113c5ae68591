import type { LogRule } from '../../measure/log-events.js';

// Lines MariaDB 10.11 writes to its error log (the container's stderr) when replication or the server
// changes state (checked against the servers of this project's images: docs/logs.md).
export const MYSQL_LOG_RULES: readonly LogRule[] = [
  { pattern: /Slave I\/O: error (reconnecting|connecting) to master|Slave I\/O thread: Failed reading log event/, marker: 'replica-link-lost', meaning: 'replica lost its primary' },
  // A replica back from power loss without its master.info (written at CHANGE MASTER, fsynced only every
  // sync_master_info events): it starts, but does not replicate.
  { pattern: /Failed to initialize the master info structure/, marker: 'replica-link-lost', meaning: 'replica lost its replication settings (master.info): not replicating' },
  { pattern: /Slave I\/O thread: connected to master/, marker: 'replica-link-up', meaning: 'replica connected to its primary' },
  { pattern: /ready for connections/, marker: 'node-ready', meaning: 'server ready' },
  // After power loss or a kill: InnoDB replays its redo log, then the binlog decides prepared transactions.
  { pattern: /InnoDB: Starting crash recovery/, marker: 'crash-recovery', meaning: 'InnoDB replays its redo log after a crash' },
  { pattern: /Recovering after a crash using/, marker: 'crash-recovery', meaning: 'the binlog settles the transactions InnoDB had only prepared' },
  { pattern: /Normal shutdown/, marker: 'node-shutdown', meaning: 'server shutting down' },
  { pattern: /Semi-sync replication switched OFF/, marker: 'semi-sync-off', meaning: 'semi-sync off: commits no longer wait for a replica' },
  { pattern: /Semi-sync replication switched ON/, marker: 'semi-sync-on', meaning: 'semi-sync on again' },
];

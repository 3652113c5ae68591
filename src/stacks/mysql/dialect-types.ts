import type { ErrantSet } from './errant.js';
import type { ServerInfo } from './server-info.js';
import type { Sql } from './sql.js';

// Where MariaDB and MySQL differ, and nothing else. The flavour is detected from the running server
// (VERSION(), @@version_comment), never guessed from an image name: "mysql:8" may be Percona, a private
// registry may call MariaDB anything.
//
//                       MariaDB (10.3.3+)                      MySQL (8.0.23+)
//   point a replica     CHANGE MASTER TO MASTER_HOST ...        CHANGE REPLICATION SOURCE TO SOURCE_HOST ...
//   GTID                MASTER_USE_GTID=slave_pos (always on)   gtid_mode=ON, enforce_gtid_consistency, SOURCE_AUTO_POSITION=1
//   status              SHOW SLAVE STATUS (Slave_IO_Running)    SHOW REPLICA STATUS (Replica_IO_Running)
//   positions           gtid_slave_pos / Gtid_IO_Pos            gtid_executed / Retrieved_Gtid_Set
//   wait for position   MASTER_GTID_WAIT(pos, s)                GTID_SUBSET(set, @@gtid_executed), polled
//   semi-sync           built in: rpl_semi_sync_master_*        plugins semisync_source/replica: rpl_semi_sync_source_*
//   writable            read_only=0                             super_read_only=0, read_only=0
//   wipe binlogs        RESET MASTER                            RESET MASTER (< 8.2) / RESET BINARY LOGS AND GTIDS (8.2+)
//   fence writes        read_only=1 (the app user has no bypass) super_read_only=1 (SUPER users too)
//   own history         gtid_binlog_state (last GTID per server) gtid_executed
//   re-clone            mariadb-dump --gtid, gtid_binlog_state   mysqldump --set-gtid-purged=ON (GTID_PURGED)

export interface ReplicaStatus {
  sourceHost: string;
  ioRunning: string; // Yes | No | Connecting
  sqlRunning: string; // Yes | No
  ioError: string;
  sqlError: string;
  sqlState: string;
  delaySec: number;
  /** What the receiver has fetched: Gtid_IO_Pos (MariaDB) or Retrieved_Gtid_Set (MySQL). */
  received: string;
  /** Binlog coordinates of the source: read by the receiver vs executed by the applier. */
  readFile: string;
  readPos: number;
  execFile: string;
  execPos: number;
}

export interface SourceOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  delaySec: number;
}

export interface Dialect {
  info: ServerInfo;
  /**
   * Run on every node before replication is configured (a replica registers for semi-sync when it
   * connects). The source side only on the primary: a replica with it on would hold its own applier's
   * commits for the whole timeout (it has no replica to acknowledge them; measured on MariaDB 10.11).
   */
  enableSemisync(sql: Sql, timeoutMs: number, sourceOn: boolean): Promise<void>;
  /** The source side of semi-sync: on at promotion. */
  setSemisyncSource(sql: Sql, on: boolean): Promise<void>;
  /** Clients the semi-sync primary waits for acknowledgements from (status variable). */
  semisyncClients(sql: Sql): Promise<{ on: boolean; clients: number }>;
  setReadOnly(sql: Sql, on: boolean): Promise<void>;
  /** Wipe binlogs and GTID state (a fresh node, before replication: whatever the image's init wrote). */
  resetBinlogs(sql: Sql): Promise<void>;
  /** Point this node at a source, with GTID auto-positioning. Replication must be stopped. */
  changeSource(sql: Sql, source: SourceOptions): Promise<void>;
  startReplica(sql: Sql): Promise<void>;
  stopReplica(sql: Sql, thread?: 'io' | 'sql'): Promise<void>;
  startApplier(sql: Sql): Promise<void>;
  /** null when the node is not a replica (no replication configured). */
  replicaStatus(sql: Sql): Promise<ReplicaStatus | null>;
  /** Set MASTER_DELAY/SOURCE_DELAY to 0 without losing the relay log, and leave the applier running. */
  removeDelayKeepingRelayLog(sql: Sql): Promise<void>;
  /** Stop replicating for good and become writable (promotion). */
  detachAndMakeWritable(sql: Sql): Promise<void>;
  /** This node's executed position: what a replica of it must reach. */
  executedPosition(sql: Sql): Promise<string>;
  /** Transactions of the primary's history this node has applied, and has received (≥ applied). */
  counts(sql: Sql, status: ReplicaStatus | null): Promise<{ applied: number; received: number; appliedPos: string }>;
  /** Block until `position` is applied here or timeoutMs passed; true when reached. */
  waitForPosition(sql: Sql, position: string, timeoutMs: number): Promise<boolean>;
  /** Stop every write but replication's (a switchover's old primary): MySQL's super_read_only too. */
  fenceWrites(sql: Sql): Promise<void>;
  /** The node's whole history in the flavour's notation, for errant(): gtid_binlog_state / gtid_executed. */
  history(sql: Sql): Promise<string>;
  /** The node's transactions that the primary lacks, from both history() values (pure). */
  errant(nodeHistory: string, primaryHistory: string): ErrantSet;
  /**
   * Before a node that was a primary replicates with GTID: what it must ask the new source for next is
   * its own history (MariaDB: gtid_slave_pos := gtid_binlog_pos; MySQL's auto-position already does it).
   */
  adoptOwnPosition(sql: Sql): Promise<void>;
  /** Before a re-clone: not replicating, binlogs and GTID state wiped (the errant transactions with them). */
  resetForClone(sql: Sql): Promise<void>;
  /**
   * A POSIX sh script, run inside the node's container, that copies every application database from the
   * source ($SRC_HOST:$SRC_PORT, as $SRC_USER with $MYSQL_PWD) with a consistent snapshot into the local
   * server without writing its binlog, and prints the snapshot's GTID position as its last line.
   */
  cloneScript(databases: string[]): string;
  /** After the copy: the node's GTID state is the snapshot's position, so it replicates from there. */
  afterClone(sql: Sql, position: string): Promise<void>;
}

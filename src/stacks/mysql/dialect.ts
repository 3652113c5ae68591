import { InfraError } from '../../util/errors.js';
import { gtidSetSize, mariadbSeq } from './gtid.js';
import { str, type Row, type Sql } from './sql.js';
import { atLeast, type ServerInfo } from './server-info.js';

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

export { detectServer, type Flavour, type ServerInfo } from './server-info.js';

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
}

export function dialectFor(info: ServerInfo, domainId = 0): Dialect {
  if (info.flavour === 'mariadb') {
    if (!atLeast(info.v, [10, 3, 3])) throw new InfraError(`MariaDB ${info.version} is too old: drill needs 10.3.3+ (semi-sync built in, MASTER_DELAY, MASTER_GTID_WAIT)`);
    return mariadbDialect(info, domainId);
  }
  if (!atLeast(info.v, [8, 0, 23])) throw new InfraError(`MySQL ${info.version} is too old: drill needs 8.0.23+ (CHANGE REPLICATION SOURCE, SHOW REPLICA STATUS)`);
  return mysqlDialect(info);
}

function num(row: Row | undefined, key: string): number {
  const n = Number(str(row, key));
  return Number.isFinite(n) ? n : 0;
}

function mariadbDialect(info: ServerInfo, domainId: number): Dialect {
  const self: Dialect = {
    info,
    async enableSemisync(sql, timeoutMs, sourceOn) {
      // Built in since 10.3.3. AFTER_SYNC: the commit waits for the replica's ack before the engine
      // commit is visible, so an acknowledged write is on a replica (MariaDB's default is AFTER_COMMIT).
      await sql.exec('SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC');
      await sql.exec('SET GLOBAL rpl_semi_sync_master_timeout = ?', [timeoutMs]);
      await self.setSemisyncSource(sql, sourceOn);
      await sql.exec('SET GLOBAL rpl_semi_sync_slave_enabled = ON');
    },
    setSemisyncSource: (sql, on) => sql.exec(`SET GLOBAL rpl_semi_sync_master_enabled = ${on ? 'ON' : 'OFF'}`),
    async semisyncClients(sql) {
      const rows = await sql.rows("SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_status', 'Rpl_semi_sync_master_clients')");
      const get = (k: string) =>
        str(
          rows.find((r) => str(r, 'Variable_name') === k),
          'Value',
        );
      return { on: get('Rpl_semi_sync_master_status') === 'ON', clients: Number(get('Rpl_semi_sync_master_clients')) || 0 };
    },
    setReadOnly: (sql, on) => sql.exec(`SET GLOBAL read_only = ${on ? 'ON' : 'OFF'}`),
    async resetBinlogs(sql) {
      await sql.exec('RESET MASTER');
      await sql.exec("SET GLOBAL gtid_slave_pos = ''");
    },
    changeSource: (sql, s) =>
      sql.exec('CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1, MASTER_DELAY = ?', [
        s.host,
        s.port,
        s.user,
        s.password,
        s.delaySec,
      ]),
    startReplica: (sql) => sql.exec('START SLAVE'),
    stopReplica: (sql, thread) => sql.exec(thread === 'io' ? 'STOP SLAVE IO_THREAD' : thread === 'sql' ? 'STOP SLAVE SQL_THREAD' : 'STOP SLAVE'),
    startApplier: (sql) => sql.exec('START SLAVE SQL_THREAD'),
    async replicaStatus(sql) {
      const row = (await sql.rows('SHOW SLAVE STATUS'))[0];
      if (!row) return null;
      return {
        sourceHost: str(row, 'Master_Host'),
        ioRunning: str(row, 'Slave_IO_Running'),
        sqlRunning: str(row, 'Slave_SQL_Running'),
        ioError: str(row, 'Last_IO_Error'),
        sqlError: str(row, 'Last_SQL_Error'),
        sqlState: str(row, 'Slave_SQL_Running_State'),
        delaySec: num(row, 'SQL_Delay'),
        received: str(row, 'Gtid_IO_Pos'),
        readFile: str(row, 'Master_Log_File'),
        readPos: num(row, 'Read_Master_Log_Pos'),
        execFile: str(row, 'Relay_Master_Log_File'),
        execPos: num(row, 'Exec_Master_Log_Pos'),
      };
    },
    async removeDelayKeepingRelayLog(sql) {
      // MariaDB refuses CHANGE MASTER while either thread runs, and a CHANGE MASTER without relay-log
      // coordinates deletes the relay log: exactly the received-but-unapplied events catch-up must keep.
      // Naming the applier's own relay-log position keeps the files (measured here: 10.11).
      await sql.exec('STOP SLAVE');
      const row = (await sql.rows('SHOW SLAVE STATUS'))[0];
      await sql.exec('CHANGE MASTER TO MASTER_DELAY = 0, RELAY_LOG_FILE = ?, RELAY_LOG_POS = ?', [str(row, 'Relay_Log_File'), num(row, 'Relay_Log_Pos')]);
      await sql.exec('START SLAVE SQL_THREAD');
    },
    async detachAndMakeWritable(sql) {
      await sql.exec('STOP SLAVE');
      await sql.exec('RESET SLAVE ALL');
      await sql.exec('SET GLOBAL read_only = OFF');
    },
    async executedPosition(sql) {
      // What a replica of this node can fetch: its binlog (replicated events too, log_slave_updates).
      return str((await sql.rows('SELECT @@GLOBAL.gtid_binlog_pos AS p'))[0], 'p');
    },
    async counts(sql, status) {
      const row = (await sql.rows('SELECT @@GLOBAL.gtid_slave_pos AS s, @@GLOBAL.gtid_binlog_pos AS b'))[0];
      // A replica's applied history is gtid_slave_pos; a former primary's own writes are only in its binlog.
      const appliedPos = status ? str(row, 's') : str(row, 'b');
      const applied = Math.max(mariadbSeq(str(row, 's'), domainId), status ? 0 : mariadbSeq(str(row, 'b'), domainId));
      const received = Math.max(applied, status ? mariadbSeq(status.received, domainId) : 0);
      return { applied, received, appliedPos };
    },
    async waitForPosition(sql, position, timeoutMs) {
      const row = (await sql.rows('SELECT MASTER_GTID_WAIT(?, ?) AS r', [position, timeoutMs / 1000], timeoutMs + 2000))[0];
      return num(row, 'r') === 0;
    },
  };
  return self;
}

function mysqlDialect(info: ServerInfo): Dialect {
  // 8.0.26 renamed the semi-sync plugins and variables (source/replica); 8.2 deprecated RESET MASTER for
  // RESET BINARY LOGS AND GTIDS, 8.4 removed it.
  const newSemisync = atLeast(info.v, [8, 0, 26]);
  const [src, rep] = newSemisync ? ['source', 'replica'] : ['master', 'slave'];
  const self: Dialect = {
    info,
    async enableSemisync(sql, timeoutMs, sourceOn) {
      const installed = new Set((await sql.rows("SELECT PLUGIN_NAME AS n FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'rpl_semi_sync_%'")).map((r) => str(r, 'n')));
      if (!installed.has(`rpl_semi_sync_${src}`)) await sql.exec(`INSTALL PLUGIN rpl_semi_sync_${src} SONAME 'semisync_${src}.so'`);
      if (!installed.has(`rpl_semi_sync_${rep}`)) await sql.exec(`INSTALL PLUGIN rpl_semi_sync_${rep} SONAME 'semisync_${rep}.so'`);
      // SET PERSIST: a restarted node keeps semi-sync (INSTALL PLUGIN itself is persistent).
      await sql.exec(`SET PERSIST rpl_semi_sync_${src}_wait_point = AFTER_SYNC`);
      await sql.exec(`SET PERSIST rpl_semi_sync_${src}_timeout = ?`, [timeoutMs]);
      await self.setSemisyncSource(sql, sourceOn);
      await sql.exec(`SET PERSIST rpl_semi_sync_${rep}_enabled = ON`);
    },
    setSemisyncSource: (sql, on) => sql.exec(`SET PERSIST rpl_semi_sync_${src}_enabled = ${on ? 'ON' : 'OFF'}`),
    async semisyncClients(sql) {
      const rows = await sql.rows(`SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_${src}_status', 'Rpl_semi_sync_${src}_clients')`);
      const get = (k: string) =>
        str(
          rows.find((r) => str(r, 'Variable_name') === k),
          'Value',
        );
      return { on: get(`Rpl_semi_sync_${src}_status`) === 'ON', clients: Number(get(`Rpl_semi_sync_${src}_clients`)) || 0 };
    },
    async setReadOnly(sql, on) {
      // super_read_only would also stop root's writes; drill's app user has no privilege past read_only.
      if (!on) await sql.exec('SET PERSIST super_read_only = OFF');
      await sql.exec(`SET PERSIST read_only = ${on ? 'ON' : 'OFF'}`);
    },
    resetBinlogs: (sql) => sql.exec(atLeast(info.v, [8, 2, 0]) ? 'RESET BINARY LOGS AND GTIDS' : 'RESET MASTER'),
    changeSource: (sql, s) =>
      // GET_SOURCE_PUBLIC_KEY: the repl user authenticates with caching_sha2_password without TLS.
      sql.exec(
        'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, SOURCE_AUTO_POSITION = 1, SOURCE_CONNECT_RETRY = 1, GET_SOURCE_PUBLIC_KEY = 1, SOURCE_DELAY = ?',
        [s.host, s.port, s.user, s.password, s.delaySec],
      ),
    startReplica: (sql) => sql.exec('START REPLICA'),
    stopReplica: (sql, thread) => sql.exec(thread === 'io' ? 'STOP REPLICA IO_THREAD' : thread === 'sql' ? 'STOP REPLICA SQL_THREAD' : 'STOP REPLICA'),
    startApplier: (sql) => sql.exec('START REPLICA SQL_THREAD'),
    async replicaStatus(sql) {
      const row = (await sql.rows('SHOW REPLICA STATUS'))[0];
      if (!row) return null;
      return {
        sourceHost: str(row, 'Source_Host'),
        ioRunning: str(row, 'Replica_IO_Running'),
        sqlRunning: str(row, 'Replica_SQL_Running'),
        ioError: str(row, 'Last_IO_Error'),
        sqlError: str(row, 'Last_SQL_Error'),
        sqlState: str(row, 'Replica_SQL_Running_State'),
        delaySec: num(row, 'SQL_Delay'),
        received: str(row, 'Retrieved_Gtid_Set'),
        readFile: str(row, 'Source_Log_File'),
        readPos: num(row, 'Read_Source_Log_Pos'),
        execFile: str(row, 'Relay_Source_Log_File'),
        execPos: num(row, 'Exec_Source_Log_Pos'),
      };
    },
    async removeDelayKeepingRelayLog(sql) {
      // MySQL (5.7.4+) keeps the relay log on CHANGE REPLICATION SOURCE as long as one replication thread
      // runs, and accepts SOURCE_DELAY with only the applier stopped. RELAY_LOG_FILE cannot be named
      // under SOURCE_AUTO_POSITION=1. So: receiver running (it keeps retrying a dead source), applier
      // stopped, delay 0, applier started, then the receiver stopped (nothing new may arrive).
      const status = await self.replicaStatus(sql);
      if (status && status.ioRunning === 'No') await sql.exec('START REPLICA IO_THREAD');
      await sql.exec('STOP REPLICA SQL_THREAD');
      await sql.exec('CHANGE REPLICATION SOURCE TO SOURCE_DELAY = 0');
      await sql.exec('START REPLICA SQL_THREAD');
      await sql.exec('STOP REPLICA IO_THREAD');
    },
    async detachAndMakeWritable(sql) {
      await sql.exec('STOP REPLICA');
      await sql.exec('RESET REPLICA ALL');
      await self.setReadOnly(sql, false);
    },
    async executedPosition(sql) {
      return str((await sql.rows('SELECT @@GLOBAL.gtid_executed AS p'))[0], 'p');
    },
    async counts(sql, status) {
      const executed = await self.executedPosition(sql);
      const applied = gtidSetSize(executed);
      const received = status ? gtidSetSize(executed, status.received) : applied;
      return { applied, received, appliedPos: executed };
    },
    async waitForPosition(sql, position, timeoutMs) {
      // Polled rather than WAIT_FOR_EXECUTED_GTID_SET: its timeout is whole seconds on some 8.0 releases.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const row = (await sql.rows('SELECT GTID_SUBSET(?, @@GLOBAL.gtid_executed) AS r', [position]))[0];
        if (num(row, 'r') === 1) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  return self;
}

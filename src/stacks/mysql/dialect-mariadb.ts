import { mariadbErrant } from './errant.js';
import { mariadbSeq } from './gtid.js';
import { cloneShell } from './clone-shell.js';
import type { Dialect } from './dialect-types.js';
import type { ServerInfo } from './server-info.js';
import { num, str } from './sql.js';

// The MariaDB side of Dialect (dialect-types.ts has the table of differences).

export function mariadbDialect(info: ServerInfo, domainId: number): Dialect {
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
    // read_only waits for commits in progress; the app's user has no READ ONLY ADMIN (nor SUPER) to bypass it.
    fenceWrites: (sql) => self.setReadOnly(sql, true),
    history: async (sql) => str((await sql.rows('SELECT @@GLOBAL.gtid_binlog_state AS s'))[0], 's'),
    errant: mariadbErrant,
    // Refused while replication threads run: callers stop them first (a former primary has none).
    adoptOwnPosition: (sql) => sql.exec('SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos'),
    async resetForClone(sql) {
      await sql.exec('STOP SLAVE');
      await sql.exec('RESET SLAVE ALL');
      await self.resetBinlogs(sql);
    },
    cloneScript: (databases) =>
      // --single-transaction + --master-data: MariaDB takes the GTID position from the consistent
      // snapshot (binlog_snapshot_file/pos, BINLOG_GTID_POS), no FLUSH TABLES WITH READ LOCK on the
      // source (checked with the general log, 10.11). --master-data=2 writes the position as a comment.
      cloneShell(
        'mariadb-dump --single-transaction --gtid --master-data=2 --add-drop-database --routines --triggers --events',
        'mariadb',
        databases,
        `sed -n "s/^-- SET GLOBAL gtid_slave_pos='\\(.*\\)';$/\\1/p" "$F" | tail -n 1`,
      ),
    async afterClone(sql, position) {
      // The binlog was wiped (RESET MASTER): give it the snapshot's state, so that once this node is a
      // primary again its replicas can ask it for anything after that position; then replicate from there.
      await sql.exec('SET GLOBAL gtid_binlog_state = ?', [position]);
      await sql.exec('SET GLOBAL gtid_slave_pos = ?', [position]);
    },
  };
  return self;
}

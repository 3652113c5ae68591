import { mysqlErrant } from './errant.js';
import { gtidSetSize } from './gtid.js';
import { cloneShell } from './clone-shell.js';
import type { Dialect } from './dialect-types.js';
import { atLeast, type ServerInfo } from './server-info.js';
import { num, str } from './sql.js';

// The MySQL side of Dialect (dialect-types.ts has the table of differences).

export function mysqlDialect(info: ServerInfo): Dialect {
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
    async fenceWrites(sql) {
      await sql.exec('SET PERSIST read_only = ON');
      await sql.exec('SET PERSIST super_read_only = ON');
    },
    history: (sql) => self.executedPosition(sql),
    errant: mysqlErrant,
    // SOURCE_AUTO_POSITION sends gtid_executed, which has the node's own transactions already.
    adoptOwnPosition: () => Promise.resolve(),
    async resetForClone(sql) {
      await sql.exec('STOP REPLICA');
      await sql.exec('RESET REPLICA ALL');
      await self.resetBinlogs(sql);
    },
    cloneScript: (databases) =>
      // --set-gtid-purged=ON: the dump sets GTID_PURGED (allowed on the empty gtid_executed RESET left)
      // and turns sql_log_bin off itself. Not tried on MySQL here: only MariaDB is available offline.
      cloneShell(
        'mysqldump --single-transaction --set-gtid-purged=ON --add-drop-database --routines --triggers --events',
        'mysql',
        databases,
        `"$CLIENT" -N -B -h 127.0.0.1 -P 3306 -u "$SRC_USER" -e 'SELECT @@GLOBAL.gtid_executed' | tr -d '\\n'; echo`,
      ),
    afterClone: () => Promise.resolve(),
  };
  return self;
}

import { WRITES_KEY } from '../../stacks/redis/client.js';
import type { DataAccess } from '../../stacks/stack.js';
import type { BackupMethod } from '../result.js';
import { MOVE_BACK_SCRIPT, PREPARE_SCRIPT } from './physical.js';

// The shell each backup method runs inside the store container (drill's own redis or mariadb image,
// whose clients speak to any Redis or MariaDB/MySQL server). Arguments go as $1…, never spliced into
// the script, and credentials as environment variables of the client (REDISCLI_AUTH, MYSQL_PWD).

export const STORE_DIR = '/backups';

const SOCKET = '/tmp/restore.sock';

/** Wait up to 60 s for a command to succeed (the scratch server starting, loading the backup). */
const until = (test: string, log: string) => `i=0; until ${test}; do i=$((i+1)); if [ $i -gt 1200 ]; then cat ${log} >&2; exit 1; fi; sleep 0.05; done`;

/**
 * Take one backup of the server at $1 into file $2; prints the file's size in bytes and its SHA-256 (what a
 * restore checks the file against: a backup damaged in the store since is skipped). $3: the client's secret.
 */
export function backupScript(method: 'rdb' | 'dump', data: DataAccess, withPosition = false): { script: string; secret: string } {
  const finish = `mv "$2.part" "$2" && echo "$(stat -c %s "$2") $(sha256sum "$2" | cut -d' ' -f1)"`;
  // A dead primary's address does not refuse, it black-holes: fail in 2 s, not after TCP's minute.
  const reach = `nc -z -w 2 "$1" ${data.port} || { echo "no connection to $1:${data.port} within 2 s" >&2; exit 1; }; `;
  switch (method) {
    case 'rdb':
      // A replica's full sync with only the RDB (Redis 7: REPLCONF rdb-only): the server forks a snapshot now.
      return {
        script: `${reach}[ -n "$3" ] && export REDISCLI_AUTH="$3"; redis-cli -h "$1" -p ${data.port} --rdb "$2.part" > /tmp/backup.out 2>&1 || { cat /tmp/backup.out >&2; exit 1; }; ${finish}`,
        secret: data.kind === 'redis' ? (data.password ?? '') : '',
      };
    case 'dump':
      // One consistent InnoDB snapshot (START TRANSACTION WITH CONSISTENT SNAPSHOT), no table locks. With
      // binlog archiving, its GTID position too (--master-data=2 --gtid: a comment; MariaDB takes the
      // snapshot's binlog position from the same transaction, still without a global lock).
      return {
        script: `${reach}MYSQL_PWD="$3" mariadb-dump --no-defaults -h "$1" -P ${data.port} -u ${data.kind === 'mysql' ? data.user : 'root'} --single-transaction --skip-lock-tables${withPosition ? ' --master-data=2 --gtid' : ''} --databases drill > "$2.part" 2> /tmp/backup.err || { cat /tmp/backup.err >&2; exit 1; }; ${finish}`,
        secret: data.kind === 'mysql' ? data.password : '',
      };
  }
}

/** Start a scratch server on backup file $1 (physical: the chain's files, full first) inside the store and wait until its data can be read. */
export function restoreScript(method: BackupMethod): string {
  switch (method) {
    case 'physical':
      return [
        'W=/tmp/restore-w; D=/tmp/restore',
        `( ${PREPARE_SCRIPT} ) > /dev/null`,
        `( ${MOVE_BACK_SCRIPT} ) > /dev/null`,
        `mariadbd --no-defaults --user=mysql --datadir=/tmp/restore --socket=${SOCKET} --pid-file=/tmp/restore.pid --skip-networking --skip-log-bin --performance-schema=OFF > /tmp/restore.log 2>&1 &`,
        until(`mariadb --no-defaults -S ${SOCKET} -e 'SELECT 1' > /dev/null 2>&1`, '/tmp/restore.log'),
      ].join('\n');
    case 'aof':
      // The copied appendonlydir (a tar in the store) under a scratch dir; the server loads base + incr files by the manifest.
      return [
        `rm -f ${SOCKET}; rm -rf /tmp/aof-restore && mkdir -p /tmp/aof-restore && tar -xf "$1" -C /tmp/aof-restore`,
        `redis-server --port 0 --unixsocket ${SOCKET} --dir /tmp/aof-restore --appendonly yes --appenddirname appendonlydir --save '' --daemonize yes --logfile /tmp/restore.log`,
        until(`redis-cli -s ${SOCKET} ping 2>/dev/null | grep -q PONG`, '/tmp/restore.log'),
      ].join('\n');
    case 'rdb':
      return [
        `rm -f ${SOCKET}; cp "$1" /tmp/restore.rdb`,
        `redis-server --port 0 --unixsocket ${SOCKET} --dir /tmp --dbfilename restore.rdb --save '' --appendonly no --daemonize yes --logfile /tmp/restore.log`,
        // PING answers -LOADING until the snapshot is in memory.
        until(`redis-cli -s ${SOCKET} ping 2>/dev/null | grep -q PONG`, '/tmp/restore.log'),
      ].join('\n');
    case 'dump':
      return [
        'rm -rf /tmp/restore && mkdir -p /tmp/restore && chown mysql:mysql /tmp/restore',
        'mariadb-install-db --no-defaults --user=mysql --datadir=/tmp/restore --skip-test-db --auth-root-authentication-method=socket > /tmp/restore-install.log 2>&1 || { cat /tmp/restore-install.log >&2; exit 1; }',
        `mariadbd --no-defaults --user=mysql --datadir=/tmp/restore --socket=${SOCKET} --pid-file=/tmp/restore.pid --skip-networking --skip-log-bin --performance-schema=OFF > /tmp/restore.log 2>&1 &`,
        until(`mariadb --no-defaults -S ${SOCKET} -e 'SELECT 1' > /dev/null 2>&1`, '/tmp/restore.log'),
        `mariadb --no-defaults -S ${SOCKET} < "$1"`,
      ].join('\n');
  }
}

/** Print every write id the scratch server holds, one per line. */
export function readIdsScript(method: BackupMethod): string {
  switch (method) {
    case 'rdb':
    case 'aof':
      return `redis-cli -s ${SOCKET} --raw smembers ${WRITES_KEY}`;
    case 'dump':
    case 'physical':
      return `mariadb --no-defaults -S ${SOCKET} -N -B -e 'SELECT id FROM drill.writes'`;
  }
}

export function stopScratchScript(method: BackupMethod): string {
  switch (method) {
    case 'rdb':
    case 'aof':
      return `redis-cli -s ${SOCKET} shutdown nosave > /dev/null 2>&1 || true`;
    case 'dump':
    case 'physical':
      return `mariadb-admin --no-defaults -S ${SOCKET} shutdown > /dev/null 2>&1 || true`;
  }
}

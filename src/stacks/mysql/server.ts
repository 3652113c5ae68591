import { randomBytes } from 'node:crypto';
import { registerSecret } from '../../util/redact.js';
import type { Docker } from '../../engine/docker-client.js';
import { LABEL_IMAGE_RECIPE } from '../../engine/labels.js';

// How one database container is started, for both kinds of image:
//   - drill's offline image (Debian bookworm + mariadb-server, its datadir initialised at build time): a
//     shell Cmd initialises the datadir only if it is missing (a restarted container keeps its own),
//     writes an init file with the users, and execs mariadbd;
//   - an official image (mysql:8.x, mariadb:1x): its entrypoint initialises the datadir from
//     MYSQL_ROOT_PASSWORD / MARIADB_ROOT_PASSWORD; the server options are passed as arguments; the users
//     are created over SQL once the server answers.
// The server options are the same for every flavour: options one flavour lacks carry the `loose-` prefix,
// which both MariaDB and MySQL accept and ignore when unknown. The flavour is detected later, from the
// running server (mysql-dialect.ts).

export const MYSQL_PORT = 3306;
export const ADMIN_USER = 'root';
export const REPL_USER = 'repl';
export const APP_USER = 'drill';

/** Per-run random passwords. Never logged: SqlClient redacts them from error messages. */
export interface DbSecrets {
  admin: string;
  repl: string;
  app: string;
  /** The replication user, when not REPL_USER (a stack drill did not create: kind compose). */
  replUser?: string;
}

export function newSecrets(): DbSecrets {
  // Hex: safe inside shell, SQL literals and environment variables without quoting rules.
  const secret = () => {
    const value = randomBytes(18).toString('hex');
    registerSecret(value); // masked in every log line and artefact
    return value;
  };
  return { admin: secret(), repl: secret(), app: secret() };
}

/**
 * The users every node has, created without writing the binlog (each node creates its own, so a promoted
 * replica has them too, and replication never sees them).
 */
export function userStatements(s: DbSecrets, withAdmin: boolean): string[] {
  return [
    'SET SESSION sql_log_bin = 0',
    ...(withAdmin ? [`CREATE USER IF NOT EXISTS '${ADMIN_USER}'@'%' IDENTIFIED BY '${s.admin}'`, `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'%' WITH GRANT OPTION`] : []),
    `CREATE USER IF NOT EXISTS '${REPL_USER}'@'%' IDENTIFIED BY '${s.repl}'`,
    `GRANT REPLICATION SLAVE ON *.* TO '${REPL_USER}'@'%'`,
    `CREATE USER IF NOT EXISTS '${APP_USER}'@'%' IDENTIFIED BY '${s.app}'`,
    `GRANT SELECT, INSERT ON drill.* TO '${APP_USER}'@'%'`,
  ];
}

export interface ServerOptions {
  serverId: number;
  semisyncTimeoutMs: number | null;
  /** The primary: semi-sync source side on, read-write. */
  primary: boolean;
  readOnly: boolean;
  /** innodb_flush_log_at_trx_commit / sync_binlog, when the drill declares them (else the server's defaults). */
  durability?: { flushLogAtTrxCommit?: 0 | 1 | 2 | undefined; syncBinlog?: number | undefined } | undefined;
  /** The datadir on drill's lazy disk (docs/power-loss.md): only with drill's own image. */
  lazyDisk?: boolean;
  /** A node for a physical restore: the server starts only once the restore has filled its datadir (HOLD_FILE appears). */
  holdUntilStarted?: boolean;
}

/** The file a physical restore creates in a held node when its datadir is ready: the server then starts. */
export const HOLD_FILE = '/run/mysqld/drill-start';

export function serverArgs(o: ServerOptions): string[] {
  const args = [
    `--server-id=${o.serverId}`,
    '--port=3306',
    '--bind-address=0.0.0.0',
    '--skip-name-resolve',
    '--log-bin=mysql-bin',
    '--relay-log=relay-bin',
    '--loose-binlog-format=ROW',
    '--loose-log-slave-updates=ON',
    // MariaDB GTID: a replica may not apply a transaction out of order or twice.
    '--loose-gtid-strict-mode=ON',
    // MySQL GTID (MariaDB always has GTIDs).
    '--loose-gtid-mode=ON',
    '--loose-enforce-gtid-consistency=ON',
    // Light: two cores are shared with the load and the other nodes.
    '--innodb-buffer-pool-size=64M',
    '--loose-mysqlx=OFF',
    '--max-connections=300',
  ];
  if (o.semisyncTimeoutMs !== null) {
    // MariaDB's built-in semi-sync, kept across a container restart (MySQL: INSTALL PLUGIN + SET PERSIST).
    // The source side on the primary only (see Dialect.enableSemisync).
    args.push(
      `--loose-rpl-semi-sync-master-enabled=${o.primary ? 'ON' : 'OFF'}`,
      '--loose-rpl-semi-sync-slave-enabled=ON',
      `--loose-rpl-semi-sync-master-timeout=${o.semisyncTimeoutMs}`,
      '--loose-rpl-semi-sync-master-wait-point=AFTER_SYNC',
    );
  }
  if (o.readOnly) args.push('--read-only');
  const d = o.durability;
  if (d?.flushLogAtTrxCommit !== undefined) args.push(`--innodb-flush-log-at-trx-commit=${d.flushLogAtTrxCommit}`);
  if (d?.syncBinlog !== undefined) args.push(`--sync-binlog=${d.syncBinlog}`);
  return args;
}

/** Where the lazy disk keeps what was fsynced: the image's own datadir, which a kill and a start keep. */
const DURABLE_DATADIR = '/var/lib/mysql';
/** The lazy disk's mount over it, mariadbd's datadir on a lazy disk. */
const LAZY_DATADIR = '/var/lib/drill-lazy';

/**
 * The datadir on drill's lazy disk: mount it over the image's datadir (which then holds only what was
 * fsynced), and keep every byte InnoDB writes in the kernel's path through the layer: buffered I/O with
 * fsync (its default O_DIRECT, and the redo log's, would bypass a page cache the layer has to model),
 * and no native AIO. The layer's process lives under the container's init, so a kill takes it too.
 */
function lazyDiskLines(): { mount: string[]; args: string[] } {
  return {
    mount: [`drill-lazy-disk ${DURABLE_DATADIR} ${LAZY_DATADIR} &`, `until grep -q ' ${LAZY_DATADIR} fuse' /proc/mounts; do sleep 0.02; done`],
    args: [`--datadir=${LAZY_DATADIR}`, '--innodb-flush-method=fsync', '--loose-innodb-log-file-buffering=ON', '--innodb-use-native-aio=0'],
  };
}

/** Cmd for drill's offline image: initialise the datadir if missing, write the users' init file, exec mariadbd. */
export function offlineCmd(o: ServerOptions, secrets: DbSecrets): string[] {
  const lazy = o.lazyDisk ? lazyDiskLines() : { mount: [], args: [`--datadir=${DURABLE_DATADIR}`] };
  const init = userStatements(secrets, true)
    .map((s) => `${s};`)
    .join('\n');
  const script = [
    'set -e',
    'if [ ! -d /var/lib/mysql/mysql ]; then',
    '  mariadb-install-db --no-defaults --user=mysql --datadir=/var/lib/mysql --skip-test-db --auth-root-authentication-method=socket > /tmp/install-db.log 2>&1 || { cat /tmp/install-db.log >&2; exit 1; }',
    'fi',
    'mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld',
    "cat > /run/mysqld/drill-init.sql <<'DRILL_SQL'",
    init,
    'DRILL_SQL',
    'chown mysql:mysql /run/mysqld/drill-init.sql && chmod 600 /run/mysqld/drill-init.sql',
    ...lazy.mount,
    ...(o.holdUntilStarted ? [`until [ -f ${HOLD_FILE} ]; do sleep 0.05; done`] : []),
    // performance_schema is off in MariaDB by default; said explicitly (MySQL keeps it: SHOW STATUS reads it).
    `exec mariadbd --no-defaults --user=mysql ${lazy.args.join(' ')} --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid --init-file=/run/mysqld/drill-init.sql --performance-schema=OFF ${serverArgs(o).join(' ')}`,
  ].join('\n');
  return ['sh', '-c', script];
}

/** Environment for an official image's entrypoint (both flavours' variable names; each ignores the other's). */
export function officialEnv(secrets: DbSecrets): Record<string, string> {
  return {
    MYSQL_ROOT_PASSWORD: secrets.admin,
    MARIADB_ROOT_PASSWORD: secrets.admin,
    // Time-zone tables loaded at init could reach the binlog on some versions: not needed, skip them.
    MYSQL_INITDB_SKIP_TZINFO: '1',
    MARIADB_INITDB_SKIP_TZINFO: '1',
  };
}

/** drill's own images carry the recipe label; anything else is treated as an official image. */
export async function isDrillImage(docker: Docker, image: string): Promise<boolean> {
  try {
    const info = await docker.getImage(image).inspect();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the engine omits it in some API versions and states, whatever the type says
    return Boolean(info.Config?.Labels?.[LABEL_IMAGE_RECIPE]);
  } catch {
    return false;
  }
}

import type { PostgresStackSpec } from '../../spec/schema.js';

// What each PostgreSQL container runs: one bash script, the same on drill's image and on the official
// postgres:15-bookworm (whose entrypoint runs a command that is not `postgres` as it is, as root: the
// script then drops to the postgres user). The primary's data directory is made by initdb with data
// checksums (pg_rewind needs them or wal_log_hints), each replica's by pg_basebackup from the primary.
// postgres runs under a small supervisor loop: while the hold file exists it is not restarted, so a
// rejoin can stop it, run pg_rewind and start it again as a standby without ending the container.

export const PG_PORT = 5432;
export const DATA_DIR = '/var/lib/postgresql/drill';
export const HOLD_FILE = '/var/lib/postgresql/drill-hold';
export const SOCKET_DIR = '/var/run/postgresql';
export const REPL_USER = 'repl';
export const APP_USER = 'drill';
export const ADMIN_USER = 'postgres';

export interface PgSecrets {
  admin: string;
  repl: string;
  app: string;
}

/** postgresql.conf lines of every node (replicas get them with the base backup; ALTER SYSTEM overrides them). */
export function serverConf(spec: PostgresStackSpec): string[] {
  const r = spec.replication;
  return [
    "listen_addresses = '*'",
    'wal_level = replica',
    'max_wal_senders = 10',
    'max_replication_slots = 10',
    'hot_standby = on',
    // A rejoined old primary and a repointed replica find the WAL since the fork on the new primary.
    "wal_keep_size = '512MB'",
    'wal_log_hints = on',
    // A standby retries its primary every 0.5 s, not 5 s: a repoint is followed at once.
    "wal_retrieve_retry_interval = '500ms'",
    `synchronous_commit = ${r.synchronousCommit}`,
    `synchronous_standby_names = '${r.synchronousStandbyNames}'`,
    "log_line_prefix = '%m [%p] '",
  ];
}

/** The container's command: runs the script (from the environment) as the postgres user. */
export const SERVER_CMD = ['bash', '-c', 'if [ "$(id -u)" = 0 ]; then exec runuser -u postgres -- bash -c "$DRILL_PG_SCRIPT"; fi; exec bash -c "$DRILL_PG_SCRIPT"'];

/** A command run as the postgres user whether the image's user is postgres (drill's) or root (official). */
export function asPostgres(cmd: string[]): string[] {
  return ['sh', '-c', 'if [ "$(id -u)" = 0 ]; then exec runuser -u postgres -- "$@"; fi; exec "$@"', 'drill', ...cmd];
}

export const SERVER_SCRIPT = `set -u
export PATH=/usr/lib/postgresql/15/bin:$PATH
D=${DATA_DIR}
HOLD=${HOLD_FILE}
if [ ! -s "$D/PG_VERSION" ]; then
  if [ "$DRILL_PG_ROLE" = primary ]; then
    initdb -D "$D" -U ${ADMIN_USER} --data-checksums --auth-local=trust --auth-host=scram-sha-256 --locale=C.UTF-8 --encoding=UTF8 > /tmp/initdb.log 2>&1 || { cat /tmp/initdb.log >&2; exit 1; }
    printf '%s\\n' 'local all all trust' 'local replication all trust' 'host replication ${REPL_USER} all scram-sha-256' 'host all all all scram-sha-256' > "$D/pg_hba.conf"
    postgres --single -D "$D" postgres > /tmp/single.log 2>&1 <<SQL || { cat /tmp/single.log >&2; exit 1; }
ALTER ROLE ${ADMIN_USER} PASSWORD '$DRILL_PG_ADMIN_PW';
CREATE ROLE ${REPL_USER} WITH REPLICATION LOGIN PASSWORD '$DRILL_PG_REPL_PW';
CREATE ROLE ${APP_USER} WITH LOGIN PASSWORD '$DRILL_PG_APP_PW';
CREATE DATABASE drill OWNER ${APP_USER};
SQL
    printf '%s\\n' "$DRILL_PG_CONF" >> "$D/postgresql.conf"
  else
    until PGPASSWORD="$DRILL_PG_REPL_PW" pg_basebackup -h "$DRILL_PG_PRIMARY" -p ${PG_PORT} -U ${REPL_USER} -D "$D" -X stream -c fast > /tmp/basebackup.log 2>&1; do rm -rf "$D"; sleep 0.2; done
    touch "$D/standby.signal"
    echo "primary_conninfo = 'host=$DRILL_PG_PRIMARY port=${PG_PORT} user=${REPL_USER} password=$DRILL_PG_REPL_PW application_name=$DRILL_PG_NODE'" >> "$D/postgresql.auto.conf"
  fi
fi
pid=
stopping=
trap 'stopping=1; [ -n "$pid" ] && kill -TERM "$pid"' TERM INT
while :; do
  while [ -e "$HOLD" ]; do sleep 0.1; done
  postgres -D "$D" &
  pid=$!
  wait "$pid"
  code=$?
  if [ -n "$stopping" ]; then wait "$pid"; exit 0; fi
  [ -e "$HOLD" ] || exit "$code"
done
`;

/** The environment of a node's container (secrets as hex: safe in shell, SQL and conninfo without quoting). */
export function serverEnv(spec: PostgresStackSpec, opts: { node: string; primary: boolean; primaryHost: string; secrets: PgSecrets }): Record<string, string> {
  return {
    DRILL_PG_SCRIPT: SERVER_SCRIPT,
    DRILL_PG_ROLE: opts.primary ? 'primary' : 'replica',
    DRILL_PG_NODE: opts.node,
    DRILL_PG_PRIMARY: opts.primaryHost,
    DRILL_PG_CONF: serverConf(spec).join('\n'),
    DRILL_PG_ADMIN_PW: opts.secrets.admin,
    DRILL_PG_REPL_PW: opts.secrets.repl,
    DRILL_PG_APP_PW: opts.secrets.app,
  };
}

/** primary_conninfo pointing at `host` (a container name on the run's network). */
export function conninfo(host: string, node: string, secrets: PgSecrets): string {
  return `host=${host} port=${PG_PORT} user=${REPL_USER} password=${secrets.repl} application_name=${node}`;
}

// The shell side of a re-clone (rejoin with errant: rebuild), run inside the node's own container with
// the server's own client tools: dump the source's application databases with a consistent snapshot,
// load them into the local server without writing its binlog, print the snapshot's GTID position.
// Credentials come from the exec's environment (MYSQL_PWD), never from the command line.

const SAFE_NAME = /^[A-Za-z0-9_$-]+$/;

/** `dump`: the dump command with its options; `client`: the command-line client; `position`: a command printing the position. */
export function cloneShell(dump: string, client: string, databases: string[], position: string): string {
  const bad = databases.find((d) => !SAFE_NAME.test(d));
  if (bad !== undefined) throw new Error(`cannot re-clone database ${JSON.stringify(bad)}: only plain names are copied`);
  if (databases.length === 0) throw new Error('cannot re-clone: the source has no application database');
  return [
    'set -e',
    'F=/tmp/drill-clone.sql',
    `CLIENT=${client}`,
    `${dump} -h "$SRC_HOST" -P "$SRC_PORT" -u "$SRC_USER" --databases ${databases.join(' ')} > "$F"`,
    // As the admin user over TCP (root@localhost may be socket-only); the node is read_only, the admin bypasses it.
    `"$CLIENT" -h 127.0.0.1 -P 3306 -u "$SRC_USER" --init-command='SET SESSION sql_log_bin = 0' < "$F"`,
    position,
    'rm -f "$F"',
  ].join('\n');
}

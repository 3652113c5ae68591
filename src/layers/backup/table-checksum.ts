import { execChecked } from '../../engine/docker-exec.js';
import type { Docker } from '../../engine/docker-client.js';
import type { RunningContainer } from '../../engine/resources.js';
import type { TableChecksum } from '../result.js';

// The restored table against an expectation built from drill's own history (docs/backup-restore.md):
// on the restored node, a scratch schema (not binlogged) gets a table of the ids drill saw acknowledged
// before the recovery point, and a table of the rows of drill.writes with those ids; CHECKSUM TABLE of
// each (the server's own row checksum) must agree. Rows are compared on their id, the column every write
// sets. The scratch schema is dropped again.

const CLIENT = "mariadb --no-defaults -S /run/mysqld/mysqld.sock -u root -N -B --init-command='SET SESSION sql_log_bin = 0'";

export async function tableChecksum(docker: Docker, node: RunningContainer, expectedIds: readonly number[], basis: string): Promise<TableChecksum> {
  const values = expectedIds.length ? `INSERT INTO drill_check.expected VALUES ${expectedIds.map((id) => `(${Math.trunc(id)})`).join(',')};` : '';
  const sql = [
    'DROP DATABASE IF EXISTS drill_check; CREATE DATABASE drill_check;',
    'CREATE TABLE drill_check.expected (id BIGINT NOT NULL PRIMARY KEY) ENGINE=InnoDB;',
    'CREATE TABLE drill_check.restored LIKE drill_check.expected;',
    values,
    'INSERT INTO drill_check.restored SELECT w.id FROM drill.writes w JOIN drill_check.expected e ON e.id = w.id;',
    'CHECKSUM TABLE drill_check.expected, drill_check.restored EXTENDED;',
    'SELECT COUNT(*) FROM drill_check.restored;',
    'DROP DATABASE drill_check;',
  ].join('\n');
  // The statements go as $1 (ids only, integers), into the node's own client.
  const out = await execChecked(docker, node.id, `table checksum on ${node.node}`, ['sh', '-c', `printf '%s' "$1" | ${CLIENT}`, 'sh', sql], { timeoutMs: 60_000 });
  const lines = out.stdout.trim().split('\n');
  const sum = (table: string) => lines.find((l) => l.startsWith(`drill_check.${table}\t`))?.split('\t')[1] ?? null;
  const expected = sum('expected');
  const restored = sum('restored');
  const restoredRows = Number(lines.at(-1));
  return { basis, expectedRows: expectedIds.length, restoredRows, expected, restored, match: expected !== null && expected === restored && restoredRows === expectedIds.length };
}

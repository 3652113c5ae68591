import { performance } from 'node:perf_hooks';
import { execChecked } from '../../engine/docker-exec.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { MYSQL_PORT } from './server.js';
import { target, type DbNode, type MysqlCluster } from './cluster.js';
import { ms } from './runbook.js';
import { str } from './sql.js';

// Re-clone a node from the primary (rejoin with errant: rebuild): its errant transactions are discarded
// with the rest of its data, and it starts again from a consistent copy of the primary.
//   1. on the node: stop and forget replication, wipe its binlogs and GTID state (RESET MASTER);
//   2. in the node's container, with the server's own tools: dump the primary's application databases
//      (consistent snapshot, its GTID position), load them locally without binlogging them;
//   3. the node's GTID state := the snapshot's position, so it replicates from exactly there.
// The node stays read-only throughout; the primary takes writes all along (no global read lock).

const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/** Returns the snapshot's GTID position and what was done, in words. */
export async function recloneFrom(c: MysqlCluster, node: DbNode, primary: DbNode, timeoutMs: number): Promise<{ position: string; detail: string }> {
  const name = node.container.node;
  const t0 = performance.now();
  const databases = await c.sql.with(
    target(primary),
    async (sql) => (await sql.rows('SELECT schema_name AS s FROM information_schema.schemata')).map((r) => str(r, 's')).filter((s) => !SYSTEM_SCHEMAS.includes(s.toLowerCase())),
    { timeoutMs },
  );
  await c.sql.with(target(node), (sql) => c.dialect.resetForClone(sql), { timeoutMs });
  const t1 = performance.now();
  let script: string;
  try {
    script = c.dialect.cloneScript(databases);
  } catch (error) {
    throw new InfraError(`re-cloning ${name}: ${errorMessage(error)}`);
  }
  const out = await execChecked(c.ctx.docker, node.container.id, `re-cloning ${name} from ${primary.container.node}`, ['sh', '-c', script], {
    timeoutMs,
    env: { SRC_HOST: primary.container.name, SRC_PORT: String(MYSQL_PORT), SRC_USER: c.access.user, MYSQL_PWD: c.secrets.admin },
  });
  const position = out.stdout.trim().split('\n').pop()?.trim() ?? '';
  if (!position) throw new InfraError(`re-cloning ${name} from ${primary.container.node}: the dump carried no GTID position`);
  await c.sql.with(target(node), (sql) => c.dialect.afterClone(sql, position), { timeoutMs });
  return { position, detail: `re-cloned from ${primary.container.node} (${databases.join(', ')}; binlogs wiped in ${ms(t0)}, dump + load ${ms(t1)}) at GTID ${position}` };
}

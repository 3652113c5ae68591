import type { Docker } from '../../engine/docker-client.js';
import { execChecked } from '../../engine/docker-exec.js';
import type { RunningContainer } from '../../engine/resources.js';

// SQL on a node through `docker exec psql` over its local socket (trusted in pg_hba for local
// connections only): drill's independent read-back, which goes neither through HAProxy nor the app.

/** Rows of one statement, unaligned and tuples-only: one line per row. Throws InfraError on failure. */
export async function psql(docker: Docker, node: RunningContainer, sql: string, opts: { database?: string; timeoutMs?: number } = {}): Promise<string[]> {
  const result = await execChecked(docker, node.id, `psql on ${node.node}`, ['psql', '-h', '/tmp', '-U', 'postgres', '-d', opts.database ?? 'postgres', '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], {
    timeoutMs: opts.timeoutMs ?? 10_000,
  });
  return result.stdout.split('\n').filter((l) => l !== '');
}

import { startContainer, type RunningContainer } from '../../engine/resources.js';
import { InfraError, errorMessage } from '../../util/errors.js';
import { waitUntil } from '../../util/wait.js';
import type { RestoreHost } from '../stack.js';
import { setPrimary, target, type DbNode, type MysqlCluster } from './cluster.js';
import { postAdminPrimary } from '../app-admin.js';
import { HOLD_FILE, MYSQL_PORT, isDrillImage, offlineCmd } from './server.js';
import { execChecked } from '../../engine/docker-exec.js';

// A fresh MariaDB node for a restore from backup: a new container of drill's image with its own, empty
// datadir (the image's initialised system tables only, in the container's own layer), the same users
// with the run's passwords, on the stack's network. The old node's data is never reused: a destroyed
// node has none left, and an intact one (an operator's mistake) is left as it is.

/** Server ids of restored nodes: clear of the stack's own (1 … 6), so their GTIDs are told apart. */
const RESTORED_SERVER_ID = 100;

export function createRestoreHost(c: MysqlCluster, containers: RunningContainer[]): RestoreHost {
  const create = async (held: boolean): Promise<DbNode> => {
    const image = c.ctx.images.mysql;
    if (!(await isDrillImage(c.ctx.docker, image))) throw new InfraError(`restore: provisioning a node needs drill's own MariaDB image (${image} is not one)`);
    const n = c.nodes.length + 1;
    const serverId = RESTORED_SERVER_ID + n;
    const container = await startContainer(c.ctx.docker, c.ctx.run, {
      node: `db-${n}`,
      name: `drill-${c.ctx.run.token}-db-${n}`,
      role: 'db',
      image,
      // Read-only until adopted: nobody mistakes it for the primary while it loads (the administrator loading it bypasses read_only).
      cmd: offlineCmd({ serverId, semisyncTimeoutMs: null, primary: true, readOnly: true, holdUntilStarted: held }, c.secrets),
      publish: [MYSQL_PORT],
      networkName: c.access.network,
    });
    const node: DbNode = { container, port: container.ports[MYSQL_PORT]!, serverId };
    c.nodes.push(node);
    containers.push(container);
    return node;
  };
  const answering = async (node: DbNode, opts: { timeoutMs: number; signal: AbortSignal }): Promise<void> => {
    let last = '';
    await waitUntil(`restored node ${node.container.node} to accept connections`, opts.timeoutMs, opts.signal, async () => {
      try {
        await c.sql.with(target(node), (s) => s.rows('SELECT 1'), { timeoutMs: 2000 });
        return true;
      } catch (error) {
        last = errorMessage(error);
        return false;
      }
    }).catch((error: unknown) => {
      throw new InfraError(`${errorMessage(error)} (last error: ${last})`);
    });
  };
  return {
    provision: async (opts) => {
      const node = await create(false);
      await answering(node, opts);
      return node.container;
    },
    provisionHeld: async () => (await create(true)).container,
    start: async (container, opts) => {
      const node = c.nodes.find((n) => n.container.id === container.id);
      if (!node) throw new InfraError(`restore: ${container.name} is not a node drill provisioned`);
      await execChecked(c.ctx.docker, container.id, `starting the server of ${container.node}`, ['touch', HOLD_FILE], { timeoutMs: 10_000 });
      await answering(node, opts);
    },
    adopt: async (container, opts) => {
      const node = c.nodes.find((n) => n.container.id === container.id);
      if (!node) throw new InfraError(`restore: ${container.name} is not a node drill provisioned`);
      await c.sql.with(target(node), (s) => c.dialect.setReadOnly(s, false), { timeoutMs: opts.timeoutMs });
      setPrimary(c, node);
      await postAdminPrimary(c, container.name, opts.timeoutMs);
      return `app → ${container.node}`;
    },
  };
}

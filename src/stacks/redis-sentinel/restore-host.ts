import { startContainer, type RunningContainer } from '../../engine/resources.js';
import { postAdminPrimary } from '../app-admin.js';
import type { StackContext } from '../plugin.js';
import { REDIS_PORT, RESTORE_READY_FILE } from '../redis/client.js';
import type { RestoreHost } from '../stack.js';

// A fresh Redis node for a restore from backup (docs/backup-restore.md): a new container of the stack's
// image with an empty /data, on the stack's network, the stack's redisConfig (appendonly, appendfsync),
// no replicaof. Its server waits until the restore has put the AOF in place. Once loaded it becomes a
// standalone master the app writes to directly, as the MariaDB restore repoints the app: Sentinel still
// watches the old master (which holds the mistake) and is not asked again. Not on the lazy disk: it
// serves after the disaster, it is not the subject of a power-loss drill.

export function createRedisRestoreHost(s: {
  ctx: StackContext;
  /** The restored server's command line (the stack's settings, no replicaof, no lazy disk). */
  args: string[];
  network: string;
  containers: RunningContainer[];
  appUrls: readonly string[];
  adopt(node: RunningContainer): void;
}): RestoreHost {
  return {
    provision: async () => {
      const n = s.containers.filter((c) => c.role === 'redis').length + 1;
      const wait = `until [ -f ${RESTORE_READY_FILE} ]; do sleep 0.05; done; exec "$@"`;
      const container = await startContainer(s.ctx.docker, s.ctx.run, {
        node: `redis-${n}`,
        name: `drill-${s.ctx.run.token}-redis-${n}`,
        role: 'redis',
        image: s.ctx.images.redis,
        cmd: ['sh', '-c', wait, 'sh', ...s.args],
        publish: [REDIS_PORT],
        networkName: s.network,
      });
      s.containers.push(container);
      return container;
    },
    adopt: async (node, opts) => {
      s.adopt(node);
      for (const appUrl of s.appUrls) await postAdminPrimary({ appUrl }, node.name, opts.timeoutMs);
      return `app → ${node.node} directly (Sentinel still names the old master)`;
    },
  };
}

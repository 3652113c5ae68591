import type { StackPlugin } from '../plugin.js';
import { composeDescriptor } from './descriptor.js';

/** Your own running stack: found (never started), drilled, and put back as it was (docs/compose.md). */
export const compose: StackPlugin<'compose'> = {
  ...composeDescriptor,
  start: async (ctx, spec) => {
    const c = await (await import('./discover.js')).discover(ctx, spec);
    switch (spec.system) {
      case 'redis-sentinel':
        return (await import('./redis.js')).startComposeRedis(c);
      case 'mysql-replication':
        return (await import('./mysql.js')).startComposeMysql(c);
      case 'postgres':
        return (await import('./postgres.js')).startComposePostgres(c);
    }
  },
};

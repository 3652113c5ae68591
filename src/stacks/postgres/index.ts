import type { StackPlugin } from '../plugin.js';
import { postgresDescriptor } from './descriptor.js';

/** PostgreSQL 15 primary + streaming replicas + the fixture app; a runbook instead of an automatic failover. */
export const postgres: StackPlugin<'postgres'> = {
  ...postgresDescriptor,
  // Loaded on demand: other drills never load this stack's code.
  start: (ctx, spec) => import('./start.js').then((m) => m.startPostgres({ ...ctx, images: { postgres: ctx.images.postgres, app: ctx.images.app } }, spec)),
};

import type { StackPlugin } from '../plugin.js';
import { patroniDescriptor } from './descriptor.js';

/** etcd nodes + Patroni nodes (PostgreSQL 15) + HAProxy + the fixture app, started in the run's own network. */
export const patroni: StackPlugin<'patroni'> = {
  ...patroniDescriptor,
  start: (ctx, spec) => import('./start.js').then((m) => m.startPatroni(ctx, spec)),
};

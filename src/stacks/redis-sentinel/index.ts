import type { StackPlugin } from '../plugin.js';
import { redisSentinelDescriptor } from './descriptor.js';

/** Redis master + N replicas + S Sentinels + the fixture app, started in the run's own network. */
export const redisSentinel: StackPlugin<'redis-sentinel'> = {
  ...redisSentinelDescriptor,
  start: (ctx, spec) => import('./start.js').then((m) => m.startRedisSentinel(ctx, spec)),
};

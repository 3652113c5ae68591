import type { StackSpec } from '../spec/schema.js';
import type { Stack } from './stack.js';
import { startRedisSentinel, type StackContext } from './redis-sentinel/start.js';

export type { StackContext };

// One starter per stack kind; the mapped type makes a kind without a starter a compile error.
type Starters = { [K in StackSpec['kind']]: (ctx: StackContext, spec: Extract<StackSpec, { kind: K }>) => Promise<Stack> };

const starters: Starters = {
  'redis-sentinel': startRedisSentinel,
  // Loaded on demand: a Redis drill never loads the MySQL client, and vice versa.
  'mysql-replication': (ctx, spec) => import('./mysql-replication/start.js').then((m) => m.startMysqlReplication(ctx, spec)),
  // Your own running stack: found, never started (src/stack/stacks/compose.ts).
  compose: (ctx, spec) => import('./compose/discover.js').then((m) => m.startCompose(ctx, spec)),
};

export function startStack(ctx: StackContext, spec: StackSpec): Promise<Stack> {
  return (starters[spec.kind] as (ctx: StackContext, spec: StackSpec) => Promise<Stack>)(ctx, spec);
}

export interface StackImages {
  redis: string;
  mysql: string;
  app: string;
}

/** The images a stack uses: drill's own offline-built ones unless the drill file names another. */
export function stackImages(spec: StackSpec, own: StackImages): StackImages {
  switch (spec.kind) {
    case 'redis-sentinel':
      return { ...own, redis: spec.image ?? own.redis };
    case 'mysql-replication':
      return { ...own, mysql: spec.image ?? own.mysql };
    case 'compose':
      return own;
  }
}

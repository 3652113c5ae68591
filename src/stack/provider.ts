import type { StackSpec } from '../spec/schema.js';
import type { Stack } from './stack.js';
import { startRedisSentinel, type StackContext } from './stacks/redis-sentinel.js';

export type { StackContext };

// One starter per stack kind; the mapped type makes a kind without a starter a compile error.
type Starters = { [K in StackSpec['kind']]: (ctx: StackContext, spec: Extract<StackSpec, { kind: K }>) => Promise<Stack> };

const starters: Starters = {
  'redis-sentinel': startRedisSentinel,
};

export function startStack(ctx: StackContext, spec: StackSpec): Promise<Stack> {
  return starters[spec.kind](ctx, spec);
}

/** The images a stack needs, given drill's own image tags and the drill file's overrides. */
export function stackImages(spec: StackSpec, own: { redis: string; app: string }): { redis: string; app: string } {
  switch (spec.kind) {
    case 'redis-sentinel':
      return { redis: spec.image ?? own.redis, app: own.app };
  }
}

import type { RunbookAction } from './plugin.js';
import { operationsOf } from './operations-of.js';

/** A planned, graceful change of primary (maintenance): nothing acknowledged may be lost. */
export const switchover: RunbookAction<'switchover'> = {
  kind: 'switchover',
  run: async (ctx, step) => {
    const done = await operationsOf(ctx, step.action).switchover({ to: step.to, timeoutMs: step.timeoutMs, signal: ctx.signal });
    return { detail: `switchover ${done.from} → ${done.to}: ${done.detail}`, switchover: done };
  },
};

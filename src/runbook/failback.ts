import { InfraError } from '../util/errors.js';
import type { RunbookAction } from './plugin.js';
import { operationsOf } from './operations-of.js';

/** A switchover back to the node that was primary when the drill began (it waits for that node to catch up first). */
export const failback: RunbookAction<'failback'> = {
  kind: 'failback',
  run: async (ctx, step) => {
    if (!ctx.originalPrimary) throw new InfraError('runbook step "failback": drill did not learn which node was primary when the stack came up');
    const done = await operationsOf(ctx, step.action).switchover({ to: ctx.originalPrimary, timeoutMs: step.timeoutMs, signal: ctx.signal });
    return { detail: `failback ${done.from} → ${done.to}: ${done.detail}`, switchover: done };
  },
};

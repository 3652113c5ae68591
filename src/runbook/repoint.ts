import type { RunbookAction } from './plugin.js';
import { runbookOf } from './runbook-of.js';

/** Point the app and the other replicas at the current primary. */
export const repoint: RunbookAction<'repoint'> = {
  kind: 'repoint',
  run: async (ctx, step) => ({ detail: `repointed: ${(await runbookOf(ctx, step.action).repoint({ timeoutMs: step.timeoutMs, signal: ctx.signal })).detail}` }),
};

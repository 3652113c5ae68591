import type { RunbookAction } from './plugin.js';
import { runbookOf } from './runbook-of.js';

/** Promote a replica (the most advanced by GTID, or a node by name), after letting it apply what it received when catchUp. */
export const promote: RunbookAction<'promote'> = {
  kind: 'promote',
  run: async (ctx, step) => {
    const promoted = await runbookOf(ctx, step.action).promote({ candidate: step.candidate, catchUp: step.catchUp, timeoutMs: step.timeoutMs, signal: ctx.signal });
    return { detail: `promoted ${promoted.node}: ${promoted.detail}` };
  },
};

import type { RunbookAction } from './plugin.js';
import { operationsOf } from './operations-of.js';

/** Bring a failed or former primary back as a replica of the current primary, its errant transactions reported (and resolved with errant: rebuild). */
export const rejoin: RunbookAction<'rejoin'> = {
  kind: 'rejoin',
  run: async (ctx, step) => {
    const done = await operationsOf(ctx, step.action).rejoin({ node: step.node, errant: step.errant, timeoutMs: step.timeoutMs, signal: ctx.signal });
    return { detail: `rejoin ${done.node}: ${done.detail}`, rejoin: done };
  },
};

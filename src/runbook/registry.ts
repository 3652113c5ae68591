import type { ActionStepSpec } from '../spec/schema.js';
import type { ActionKind, RunbookAction, RunbookActions, RunbookContext } from './plugin.js';
import { promote } from './promote.js';
import { repoint } from './repoint.js';

// Every runbook action of the schema and its plugin: an action without a plugin (or the reverse) does not compile.
export const runbookActions = { promote, repoint } satisfies RunbookActions;

export function runAction(ctx: RunbookContext, step: ActionStepSpec, actions: RunbookActions = runbookActions): Promise<string> {
  return (actions[step.action] as RunbookAction<ActionKind>).run(ctx, step);
}

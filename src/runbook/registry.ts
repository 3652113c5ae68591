import type { ActionStepSpec } from '../spec/schema.js';
import type { ActionKind, ActionOutcome, RunbookAction, RunbookActions, RunbookContext } from './plugin.js';
import { failback } from './failback.js';
import { promote } from './promote.js';
import { rejoin } from './rejoin.js';
import { repoint } from './repoint.js';
import { restore } from './restore.js';
import { restoreCheck } from './restore-check.js';
import { switchover } from './switchover.js';

// Every runbook action of the schema and its plugin: an action without a plugin (or the reverse) does not compile.
export const runbookActions = { promote, repoint, switchover, failback, rejoin, restore, 'restore-check': restoreCheck } satisfies RunbookActions;

export function runAction(ctx: RunbookContext, step: ActionStepSpec, actions: RunbookActions = runbookActions): Promise<ActionOutcome> {
  return (actions[step.action] as RunbookAction<ActionKind>).run(ctx, step);
}

import type { PlannedOperations } from '../stacks/stack.js';
import { InfraError } from '../util/errors.js';
import type { RunbookContext } from './plugin.js';

/** The stack's planned operations; validation refuses these steps on stacks without them, this is the run-time guard. */
export function operationsOf(ctx: RunbookContext, action: string): PlannedOperations {
  if (!ctx.stack.operations) throw new InfraError(`runbook step "${action}": stack ${ctx.stack.kind} cannot switch over, rejoin or fail back (drill does not own its nodes)`);
  return ctx.stack.operations;
}

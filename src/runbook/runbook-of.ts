import type { Runbook } from '../stacks/stack.js';
import { InfraError } from '../util/errors.js';
import type { RunbookContext } from './plugin.js';

/** The stack's failover procedure; validation refuses runbook steps on stacks without one, this is the run-time guard. */
export function runbookOf(ctx: RunbookContext, action: string): Runbook {
  if (!ctx.stack.runbook) throw new InfraError(`runbook step "${action}": stack ${ctx.stack.kind} has no runbook (its failover is automatic)`);
  return ctx.stack.runbook;
}

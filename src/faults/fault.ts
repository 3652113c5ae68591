import type { FaultStepSpec } from '../spec/schema.js';
import type { FaultRecord, TimelineEvent } from '../measure/types.js';
import type { Docker } from '../stack/docker-client.js';
import type { Stack } from '../stack/stack.js';
import type { RunningContainer } from '../stack/resources.js';
import type { RunClock } from '../runner/clock.js';
import type { Logger } from '../util/log.js';
import { InfraError } from '../util/errors.js';
import { injectKill } from './kill.js';

// A fault is injected by a handler chosen by its `fault` kind; the mapped type makes a missing handler a
// compile error when a new kind is added to the schema. inject() returns the record and a heal().

export interface FaultContext {
  docker: Docker;
  stack: Stack;
  clock: RunClock;
  log: Logger;
  /** Put the engine's or the system's own evidence on the timeline. */
  note(event: TimelineEvent): void;
}

export interface InjectedFault {
  record: FaultRecord;
  /** Undo the fault (no-op for a kill: the dead stays dead). Idempotent; "already gone" is success. */
  heal(): Promise<void>;
}

type FaultKind = FaultStepSpec['fault'];
type Handlers = { [K in FaultKind]: (ctx: FaultContext, step: Extract<FaultStepSpec, { fault: K }>, container: RunningContainer) => Promise<InjectedFault> };

const handlers: Handlers = {
  kill: injectKill,
};

/** Resolve a role to a container at this moment, from the system itself. */
export async function resolveTarget(stack: Stack, target: FaultStepSpec['target']): Promise<RunningContainer> {
  switch (target) {
    case 'primary':
      return stack.primary();
    default: {
      const never: never = target;
      throw new InfraError(`unknown target ${String(never)}`);
    }
  }
}

export async function injectFault(ctx: FaultContext, step: FaultStepSpec): Promise<InjectedFault> {
  const container = await resolveTarget(ctx.stack, step.target);
  return handlers[step.fault](ctx, step, container);
}

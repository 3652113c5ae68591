import type { FaultStepSpec } from '../spec/schema.js';
import type { FaultRecord, TimelineEvent } from '../measure/types.js';
import type { Docker } from '../stack/docker-client.js';
import type { Stack } from '../stack/stack.js';
import type { RunningContainer } from '../stack/resources.js';
import type { RunClock } from '../runner/clock.js';
import type { Logger } from '../util/log.js';
import { injectKill, injectPause, injectRestart, injectStop } from './container-faults.js';
import { resolveTarget } from './resolve-target.js';

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
  /** Undo the fault now if it is still in effect. Idempotent; "already gone" is success. */
  heal(): Promise<void>;
}

type FaultKind = FaultStepSpec['fault'];
export type FaultHandler<K extends FaultKind> = (ctx: FaultContext, step: Extract<FaultStepSpec, { fault: K }>, container: RunningContainer) => Promise<InjectedFault>;
type Handlers = { [K in FaultKind]: FaultHandler<K> };

const handlers: Handlers = {
  kill: injectKill,
  stop: injectStop,
  pause: injectPause,
  restart: injectRestart,
};

export async function injectFault(ctx: FaultContext, step: FaultStepSpec): Promise<InjectedFault> {
  const container = await resolveTarget(ctx.stack, step.target);
  return (handlers[step.fault] as FaultHandler<FaultKind>)(ctx, step, container);
}

import type { FaultStepSpec, TargetSpec } from '../spec/schema.js';
import type { FaultRecord, TimelineEvent } from '../measure/types.js';
import type { Docker } from '../engine/docker-client.js';
import type { Stack } from '../stacks/stack.js';
import type { RunningContainer } from '../engine/resources.js';
import type { RunClock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import { injectKill, injectPause, injectRestart, injectStop } from './container-faults.js';
import { resolveTarget } from './resolve-target.js';
import { injectIsolate, injectLatency, injectLoss, injectPartition } from './network/index.js';

// A fault is injected by a handler chosen by its `fault` kind; the mapped type makes a missing handler a
// compile error when a new kind is added to the schema. inject() returns the record and a heal().

export interface FaultContext {
  docker: Docker;
  /** The run, for labelling helper containers (network faults run iptables/proxies in them). */
  run: { runId: string; token: string; drillName: string };
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
/** A fault on one container: the runner resolves its target first. */
export type FaultHandler<K extends FaultKind> = (ctx: FaultContext, step: Extract<FaultStepSpec, { fault: K }>, container: RunningContainer) => Promise<InjectedFault>;
/** A fault on the network between nodes: it resolves its own groups of nodes. */
export type NetworkFaultHandler<K extends FaultKind> = (ctx: FaultContext, step: Extract<FaultStepSpec, { fault: K }>) => Promise<InjectedFault>;

type ContainerFaultKind = 'kill' | 'stop' | 'pause' | 'restart';
type Handlers = { [K in FaultKind]: NetworkFaultHandler<K> };

const onTarget =
  <K extends ContainerFaultKind>(handler: FaultHandler<K>): NetworkFaultHandler<K> =>
  async (ctx, step) => handler(ctx, step, await resolveTarget(ctx.stack, (step as { target: TargetSpec }).target));

const handlers: Handlers = {
  kill: onTarget(injectKill),
  stop: onTarget(injectStop),
  pause: onTarget(injectPause),
  restart: onTarget(injectRestart),
  partition: injectPartition,
  isolate: injectIsolate,
  loss: injectLoss,
  latency: injectLatency,
};

export async function injectFault(ctx: FaultContext, step: FaultStepSpec): Promise<InjectedFault> {
  return (handlers[step.fault] as NetworkFaultHandler<FaultKind>)(ctx, step);
}

import type { RunIdentity } from '../engine/labels.js';
import type { EngineEventLog } from '../engine/engine-events.js';
import type { FaultStepSpec } from '../spec/schema.js';
import type { FaultRecord, TimelineEvent } from '../measure/types.js';
import type { Docker } from '../engine/docker-client.js';
import type { Stack } from '../stacks/stack.js';
import type { RunClock } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import type { LayerTargets } from './resolve-target.js';

// The seam for a kind of fault: one file under src/faults/<kind>.ts exporting one FaultPlugin; the
// registry (registry.ts) maps every fault kind of the schema to its plugin, checked by the compiler.
// inject() puts the fault in place, proves it is in effect where it can (network faults probe), and
// returns the record and its heal().

export type FaultKind = FaultStepSpec['fault'];
export type FaultStep<K extends FaultKind> = Extract<FaultStepSpec, { fault: K }>;

export interface FaultContext {
  docker: Docker;
  /** The run, for labelling helper containers (network faults run iptables/proxies in them). */
  run: RunIdentity & { token: string };
  stack: Stack;
  clock: RunClock;
  log: Logger;
  /** The engine's container events (local engines only: a remote engine's clock is not the runner's), or null. */
  engineEvents: EngineEventLog | null;
  /** Put the engine's or the system's own evidence on the timeline. */
  note(event: TimelineEvent): void;
  /** The run's layers, for the fault targets they own (active-lb, lb-2). */
  layers?: readonly LayerTargets[];
}

export interface InjectedFault {
  record: FaultRecord;
  /** Undo the fault now if it is still in effect. Idempotent; "already gone" is success. */
  heal(): Promise<void>;
}

export interface FaultPlugin<K extends FaultKind> {
  kind: K;
  /** Acts on the network between nodes, from helper containers made from drill's own image (checked at preflight). */
  network: boolean;
  inject(ctx: FaultContext, step: FaultStep<K>): Promise<InjectedFault>;
}

export type FaultPlugins = { [K in FaultKind]: FaultPlugin<K> };

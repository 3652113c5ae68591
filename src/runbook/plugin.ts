import type { Layer } from '../layers/plugin.js';
import type { FaultRecord } from '../measure/types.js';
import type { ActionStepSpec } from '../spec/schema.js';
import type { RejoinOutcome, Stack, SwitchoverOutcome } from '../stacks/stack.js';

// The seam for a runbook action: one file under src/runbook/<action>.ts exporting one RunbookAction; the
// registry maps every action of the schema to its plugin, checked by the compiler. An action does one
// operator step against the running stack and says, in words, what it did; the runner times it and puts
// it on the timeline (and, for switchover, failback and rejoin, makes it an event of the drill).

export type ActionKind = ActionStepSpec['action'];
export type ActionStep<K extends ActionKind> = Extract<ActionStepSpec, { action: K }>;

export interface RunbookContext {
  stack: Stack;
  signal: AbortSignal;
  /** The node that was primary when the stack came up (what a failback returns to). */
  originalPrimary: string | null;
  /** The drill's layers (a restore asks the backup layer) and the faults injected so far (a restore's `before:`). */
  layers: readonly Layer[];
  faults: readonly FaultRecord[];
}

/** What an action did: words for the timeline, and what a planned operation changed. */
export interface ActionOutcome {
  detail: string;
  switchover?: SwitchoverOutcome;
  rejoin?: RejoinOutcome;
  /** A point-in-time restore: writes whose acknowledgement came after this run-clock instant were discarded on purpose (docs/design.md). */
  recoveryPointMs?: number;
}

export interface RunbookAction<K extends ActionKind> {
  kind: K;
  /** Carry the step out; or InfraError (a runbook that cannot be carried out ends the run, exit 3). */
  run(ctx: RunbookContext, step: ActionStep<K>): Promise<ActionOutcome>;
}

export type RunbookActions = { [K in ActionKind]: RunbookAction<K> };

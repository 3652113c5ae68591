import type { FaultContext } from '../faults/plugin.js';
import type { RunState } from './run-state.js';

/** What a fault acts through: the engine, the run's labels, the stack and layers, the clock, the timeline. */
export function faultContextOf(run: RunState): FaultContext {
  const { journal } = run;
  return {
    docker: run.deps.docker,
    run: { runId: journal.runId, token: journal.token, drillName: journal.drillName, kept: run.opts.keepStack === true },
    stack: run.stack!,
    layers: run.layers,
    clock: journal.clock,
    log: run.log,
    engineEvents: run.engineEvents ?? null,
    note: (e) => {
      journal.record(e);
    },
  };
}

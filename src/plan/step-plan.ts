import type { FaultKind, FaultStep } from '../faults/plugin.js';
import { formatDurationMs } from '../spec/duration.js';
import type { DrillSpec, StepSpec } from '../spec/schema.js';
import { assertNever } from '../util/assert-never.js';
import { faultPlans, healOf } from './fault-plans.js';
import type { StepPlan } from './plan.js';

type AnyFaultPlan = { action(step: FaultStep<FaultKind>): string; target(step: FaultStep<FaultKind>, stack: DrillSpec['stack']): string };

/** The scenario, step by step, in words. */
export function stepPlans(spec: DrillSpec): StepPlan[] {
  return spec.steps.map((step, index) => stepPlan(spec, step, index));
}

function stepPlan(spec: DrillSpec, step: StepSpec, index: number): StepPlan {
  switch (step.kind) {
    case 'fault': {
      const plan = faultPlans[step.fault] as AnyFaultPlan;
      return { index, atMs: step.atMs, action: plan.action(step), target: plan.target(step, spec.stack), heal: healOf(step, spec.stack) };
    }
    case 'action': {
      const timeout = `gives up after ${formatDurationMs(step.timeoutMs)}`;
      const action =
        step.action === 'promote'
          ? `promote ${step.candidate === 'most-advanced' ? 'the most advanced reachable replica (by GTID)' : step.candidate}${step.catchUp ? ', after it applies what it already received' : ' at once (what it received but had not applied is lost)'}; ${timeout}`
          : `repoint: the app and the other replicas follow the new primary; ${timeout}`;
      return { index, atMs: step.atMs ?? null, action, target: null, heal: null };
    }
    case 'wait':
      return { index, atMs: null, action: `wait ${formatDurationMs(step.waitMs)}`, target: null, heal: null };
    case 'waitFor':
      return {
        index,
        atMs: null,
        action: `wait until writes have recovered (every write ok for a whole ${formatDurationMs(spec.measure.stableMs)} window); gives up after ${formatDurationMs(step.timeoutMs)}`,
        target: null,
        heal: null,
      };
    default:
      return assertNever(step, 'step');
  }
}

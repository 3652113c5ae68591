import type { FaultKind, FaultStep } from '../faults/plugin.js';
import { formatDurationMs } from '../spec/duration.js';
import type { ActionStepSpec, DrillSpec, StepSpec } from '../spec/schema.js';
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
      return { index, atMs: step.atMs, action: plan.action(step), target: plan.target(step, spec.stack), heal: healOf(step, spec.stack, laterRejoin(spec, step, index)) };
    }
    case 'action': {
      const timeout = `gives up after ${formatDurationMs(step.timeoutMs)}`;
      return { index, atMs: step.atMs ?? null, action: `${actionPlan(step, spec.stack.kind === 'postgres', spec.stack.kind === 'redis-sentinel')}; ${timeout}`, target: null, heal: null };
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

/**
 * The first later rejoin step that starts the fault's node again: `former-primary` after a kill or stop of
 * the primary (or of the node the rejoin names). null when there is none, or the fault heals by itself.
 */
function laterRejoin(spec: DrillSpec, step: FaultStep<FaultKind>, index: number): number | null {
  if ((step.fault !== 'kill' && step.fault !== 'stop') || step.durationMs !== undefined) return null;
  const target = (step as { target?: string }).target;
  const found = spec.steps.findIndex((s, i) => i > index && s.kind === 'action' && s.action === 'rejoin' && (s.node === target || (s.node === 'former-primary' && target === 'primary')));
  return found === -1 ? null : found;
}

/** A runbook action in words, for the dry run. */
function actionPlan(step: ActionStepSpec, postgres: boolean, redis: boolean): string {
  switch (step.action) {
    case 'promote':
      if (postgres)
        return `promote (pg_promote) ${step.candidate === 'most-advanced' ? `the reachable standby with the most WAL ${step.catchUp ? 'received' : 'replayed'}` : step.candidate}; it replays what it received first`;
      return `promote ${step.candidate === 'most-advanced' ? 'the most advanced reachable replica (by GTID)' : step.candidate}${step.catchUp ? ', after it applies what it already received' : ' at once (what it received but had not applied is lost)'}`;
    case 'repoint':
      return 'repoint: the app and the other replicas follow the new primary';
    case 'switchover':
      return `switchover (planned) to ${step.to === 'best' ? 'the replica the system picks' : step.to}: writes held while it catches up, then it is primary and the old primary its replica`;
    case 'failback':
      return 'failback: a switchover back to the node that was primary when the drill began, once it has caught up';
    case 'rejoin':
      if (postgres)
        return `rejoin ${step.node === 'former-primary' ? 'the former primary' : step.node} as a standby of the primary (started if down) with pg_rewind; the rows only it has: ${step.errant === 'fail' ? 'reported, the node left out' : 'reported, then discarded by the rewind'}`;
      return `rejoin ${step.node === 'former-primary' ? 'the former primary' : step.node} as a replica of the primary (started if down); errant transactions: ${step.errant === 'fail' ? 'reported, the node left out' : 'reported, then discarded by re-cloning it'}`;
    case 'restore':
      if (redis)
        return `restore onto a fresh Redis node from the newest AOF copy in the store${step.before ? `, cut where the command of "${step.before}" begins (everything from it on dropped)` : ', loaded whole'}; a copy whose checksum changed is skipped; then the app writes to it as a standalone master`;
      return `restore onto a fresh node from the newest backup and the binlog archive, ${step.before ? `up to the last transaction before "${step.before}" (point in time)` : step.toTime ? `up to ${step.toTime.runMs !== undefined ? `${formatDurationMs(step.toTime.runMs)} (run time)` : new Date(step.toTime.epochMs).toISOString()}, rounded down to the whole second (point in time: binlog times are whole seconds)` : 'up to the latest archived transaction'}; a backup whose checksum changed is skipped; then the app is pointed at it`;
    case 'restore-check':
      return 'restore check: the newest usable backup into a scratch node beside the stack (the primary keeps serving), read back, timed, the node removed';
    default:
      return assertNever(step, 'runbook action');
  }
}

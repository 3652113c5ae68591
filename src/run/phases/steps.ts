import type { ActionStepSpec, StepSpec } from '../../spec/schema.js';
import type { EventRecord } from '../../measure/types.js';
import type { ActionOutcome } from '../../runbook/plugin.js';
import { faultContextOf } from '../fault-context.js';
import { assertNever } from '../../util/assert-never.js';
import { injectFault } from '../../faults/registry.js';
import { isBackupDamage } from '../../faults/backup-damage.js';
import type { RunbookMarker } from '../../measure/markers.js';
import { runAction } from '../../runbook/registry.js';
import { sleep } from '../../util/wait.js';
import type { RunState } from '../run-state.js';
import { waitForRecovery } from '../wait-recovery.js';
import { startProbe, stopProbe } from '../probe-stream.js';
import { PROBE_LEAD_MS } from '../../load/probe-spec.js';
import { startWatchers } from '../watchers.js';
import { faultByMs, faultFromMs } from '../../measure/fault-instants.js';

// The scenario, in order: each step is timed and put on the timeline. One handler per step kind; the
// mapped type makes a step kind without a handler a compile error.

type StepKind = StepSpec['kind'];
export type StepHandlers = { [K in StepKind]: (run: RunState, step: Extract<StepSpec, { kind: K }>) => Promise<void> };

export const stepHandlers: StepHandlers = {
  fault: async (run, step) => {
    const { journal } = run;
    const event = !(step.fault === 'latency' && step.condition) && !isBackupDamage(step.fault);
    // The probe brackets outages: it starts before the first fault that is one, not before a condition.
    if (!run.probe && event) {
      await sleep(step.atMs - PROBE_LEAD_MS - journal.clock.nowMs(), run.signal);
      await startProbe(run);
    }
    await sleep(step.atMs - journal.clock.nowMs(), run.signal);
    const injected = await injectFault(faultContextOf(run), step, run.deps.faults);
    run.live.push(injected);
    journal.faults.push(injected.record);
    const record = injected.record;
    if (step.fault === 'latency' && step.condition) record.condition = true;
    // A condition (a slow link) is the setting of the drill, not an event of it; damage to the backups is
    // not an event of the system's own either: nothing to recover from, no RTO of its own.
    if (event)
      journal.drillEvents.push({
        kind: 'failover',
        step: run.spec.steps.indexOf(step),
        label: step.target === nodeOf(run, record.container) ? `${step.fault} ${step.target}` : `${step.fault} ${step.target} → ${nodeOf(run, record.container)}`,
        startMs: faultFromMs(record),
        endMs: faultByMs(record),
        injectMs: Math.max(0, faultByMs(record) - faultFromMs(record)),
      });
    journal.record({
      atMs: injected.record.injectedAtMs,
      source: 'runner',
      message: `fault ${step.fault} ${step.target} → ${injected.record.container}${step.durationMs !== undefined ? ` for ${step.durationMs} ms` : ''}`,
      marker: 'fault',
    });
  },
  action: async (run, step) => {
    const { clock } = run.journal;
    if (step.atMs !== undefined) await sleep(step.atMs - clock.nowMs(), run.signal);
    const startMs = clock.nowMs();
    const outcome = await runAction(
      { stack: run.stack!, signal: run.signal, originalPrimary: run.journal.stack.primaryBefore, layers: run.layers, faults: run.journal.faults },
      step,
      run.deps.actions,
    );
    if (outcome.recoveryPointMs !== undefined) run.journal.recoveryPointMs = outcome.recoveryPointMs;
    const endMs = clock.nowMs();
    const tookMs = endMs - startMs;
    const marker: RunbookMarker = `runbook-${step.action}`;
    run.journal.record({ atMs: startMs, source: 'runbook', message: `${outcome.detail} (${tookMs.toFixed(0)} ms)`, marker });
    run.log.info({ action: step.action, tookMs: Math.round(tookMs) }, `runbook: ${outcome.detail}`);
    const event = actionEvent(step, outcome, run.spec.steps.indexOf(step), startMs, endMs);
    if (event) run.journal.drillEvents.push(event);
    if (outcome.rejoin?.caughtUpAtMs != null) {
      run.journal.record({
        atMs: outcome.rejoin.caughtUpAtMs,
        source: 'runbook',
        message: `${outcome.rejoin.node} replicates from ${outcome.rejoin.primary} and has caught up`,
        marker: 'rejoin-caught-up',
      });
    }
  },
  wait: async (run, step) => {
    run.journal.note('runbook', `wait ${step.waitMs} ms`, 'runbook-wait');
    await sleep(step.waitMs, run.signal);
  },
  waitFor: async (run, step) => {
    const { journal } = run;
    // From the latest event: in a cycle (kill → recover → switchover → recover) each wait is for its own recovery.
    const faultAtMs = journal.drillEvents.at(-1)?.startMs ?? 0;
    const recoveredAtMs = await waitForRecovery({ load: run.load!, clock: journal.clock, faultAtMs, stableMs: run.spec.measure.stableMs, timeoutMs: step.timeoutMs, signal: run.signal });
    if (recoveredAtMs === null) journal.note('runner', `writes did not recover within ${step.timeoutMs} ms`, 'recovery-timeout');
    else run.log.info({ recoveredAtMs: Math.round(recoveredAtMs) }, 'writes recovered (live view)');
    // Both edges of the outage are behind us now (the live view confirms recovery a stable window after it).
    await stopProbe(run);
  },
};

/** A container's node name (db-1) for labels; the name itself when it is not one of the stack's. */
function nodeOf(run: RunState, container: string): string {
  return run.stack?.containers.find((c) => c.name === container)?.node ?? container;
}

/** The event a planned operation begins (switchover, failback, rejoin); promote and repoint are part of the failover before them. */
function actionEvent(step: ActionStepSpec, outcome: ActionOutcome, index: number, startMs: number, endMs: number): EventRecord | null {
  const base = { step: index, startMs, endMs, injectMs: 0 };
  switch (step.action) {
    case 'promote':
    case 'repoint':
    case 'restore':
    case 'restore-check':
      return null;
    case 'switchover':
    case 'failback': {
      const s = outcome.switchover;
      return { ...base, kind: step.action, label: s ? `${step.action} ${s.from} → ${s.to}` : step.action };
    }
    case 'rejoin': {
      const r = outcome.rejoin;
      return r
        ? { ...base, kind: 'rejoin', label: `rejoin ${r.node} → replica of ${r.primary}`, rejoin: { node: r.node, primary: r.primary, caughtUpAtMs: r.caughtUpAtMs, errant: r.errant } }
        : { ...base, kind: 'rejoin', label: 'rejoin' };
    }
    default:
      return assertNever(step, 'runbook action');
  }
}

/** The watchers (detector, stop conditions), then every step in order. */
export async function steps(run: RunState): Promise<void> {
  startWatchers(run);
  for (const step of run.spec.steps) await (stepHandlers[step.kind] as (run: RunState, step: StepSpec) => Promise<void>)(run, step);
}

import type { StepSpec } from '../../spec/schema.js';
import { injectFault } from '../../faults/registry.js';
import type { RunbookMarker } from '../../measure/markers.js';
import { runAction } from '../../runbook/registry.js';
import { sleep } from '../../util/wait.js';
import type { RunState } from '../run-state.js';
import { waitForRecovery } from '../wait-recovery.js';
import { PROBE_LEAD_MS, startProbe, stopProbe } from '../probe-stream.js';
import { startWatchers } from '../watchers.js';

// The scenario, in order: each step is timed and put on the timeline. One handler per step kind; the
// mapped type makes a step kind without a handler a compile error.

type StepKind = StepSpec['kind'];
export type StepHandlers = { [K in StepKind]: (run: RunState, step: Extract<StepSpec, { kind: K }>) => Promise<void> };

export const stepHandlers: StepHandlers = {
  fault: async (run, step) => {
    const { journal } = run;
    if (!run.probe) {
      await sleep(step.atMs - PROBE_LEAD_MS - journal.clock.nowMs(), run.signal);
      await startProbe(run);
    }
    await sleep(step.atMs - journal.clock.nowMs(), run.signal);
    const injected = await injectFault(
      {
        docker: run.deps.docker,
        run: { runId: journal.runId, token: journal.token, drillName: journal.drillName },
        stack: run.stack!,
        clock: journal.clock,
        log: run.log,
        engineEvents: run.engineEvents ?? null,
        note: (e) => {
          journal.record(e);
        },
      },
      step,
      run.deps.faults,
    );
    run.live.push(injected);
    journal.faults.push(injected.record);
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
    const detail = await runAction({ stack: run.stack!, signal: run.signal }, step, run.deps.actions);
    const tookMs = clock.nowMs() - startMs;
    const marker: RunbookMarker = `runbook-${step.action}`;
    run.journal.record({ atMs: startMs, source: 'runbook', message: `${detail} (${tookMs.toFixed(0)} ms)`, marker });
    run.log.info({ action: step.action, tookMs: Math.round(tookMs) }, `runbook: ${detail}`);
  },
  wait: async (run, step) => {
    run.journal.note('runbook', `wait ${step.waitMs} ms`, 'runbook-wait');
    await sleep(step.waitMs, run.signal);
  },
  waitFor: async (run, step) => {
    const { journal } = run;
    const faultAtMs = journal.faults[0]?.injectedAtMs ?? 0;
    const recoveredAtMs = await waitForRecovery({ load: run.load!, clock: journal.clock, faultAtMs, stableMs: run.spec.measure.stableMs, timeoutMs: step.timeoutMs, signal: run.signal });
    if (recoveredAtMs === null) journal.note('runner', `writes did not recover within ${step.timeoutMs} ms`, 'recovery-timeout');
    else run.log.info({ recoveredAtMs: Math.round(recoveredAtMs) }, 'writes recovered (live view)');
    // Both edges of the outage are behind us now (the live view confirms recovery a stable window after it).
    await stopProbe(run);
  },
};

/** The watchers (detector, stop conditions), then every step in order. */
export async function steps(run: RunState): Promise<void> {
  startWatchers(run);
  for (const step of run.spec.steps) await (stepHandlers[step.kind] as (run: RunState, step: StepSpec) => Promise<void>)(run, step);
}

import type { DrillSpec, ActionStepSpec } from '../../spec/schema.js';
import type { TimelineEvent } from '../../measure/types.js';
import type { Docker } from '../../engine/docker-client.js';
import type { Stack } from '../../stacks/stack.js';
import type { TrackedLoad } from '../../load/tracked-load.js';
import { injectFault, type InjectedFault } from '../../faults/plugin.js';
import type { RunClock } from '../../util/clock.js';
import { waitForRecovery } from '../wait-recovery.js';
import { InfraError } from '../../util/errors.js';
import { sleep } from '../../util/wait.js';
import type { Logger } from '../../util/log.js';

export interface StepContext {
  spec: DrillSpec;
  run: { runId: string; token: string; drillName: string };
  docker: Docker;
  stack: Stack;
  load: TrackedLoad;
  clock: RunClock;
  log: Logger;
  signal: AbortSignal;
  faults: InjectedFault[];
  note: (event: TimelineEvent) => void;
}

/** Run the scenario in order. Each step is timed and put on the timeline. */
export async function runSteps(ctx: StepContext): Promise<void> {
  const { clock, signal, note } = ctx;
  for (const step of ctx.spec.steps) {
    switch (step.kind) {
      case 'fault': {
        await sleep(step.atMs - clock.nowMs(), signal);
        const injected = await injectFault({ docker: ctx.docker, run: ctx.run, stack: ctx.stack, clock, log: ctx.log, note }, step);
        ctx.faults.push(injected);
        note({ atMs: injected.record.injectedAtMs, source: 'runner', message: `fault ${step.fault} ${step.target} → ${injected.record.container}${step.durationMs !== undefined ? ` for ${step.durationMs} ms` : ''}`, marker: 'fault' });
        break;
      }
      case 'action':
        if (step.atMs !== undefined) await sleep(step.atMs - clock.nowMs(), signal);
        await runAction(ctx, step);
        break;
      case 'wait':
        note({ atMs: clock.nowMs(), source: 'runbook', message: `wait ${step.waitMs} ms`, marker: 'runbook-wait' });
        await sleep(step.waitMs, signal);
        break;
      case 'waitFor': {
        const faultAtMs = ctx.faults[0]?.record.injectedAtMs ?? 0;
        const recoveredAtMs = await waitForRecovery({ load: ctx.load, clock, faultAtMs, stableMs: ctx.spec.measure.stableMs, timeoutMs: step.timeoutMs, signal });
        if (recoveredAtMs === null) note({ atMs: clock.nowMs(), source: 'runner', message: `writes did not recover within ${step.timeoutMs} ms`, marker: 'recovery-timeout' });
        else ctx.log.info({ recoveredAtMs: Math.round(recoveredAtMs) }, 'writes recovered (live view)');
        break;
      }
    }
  }
}

async function runAction(ctx: StepContext, step: ActionStepSpec): Promise<void> {
  const runbook = ctx.stack.runbook;
  if (!runbook) throw new InfraError(`runbook step "${step.action}": stack ${ctx.stack.kind} has no runbook (its failover is automatic)`);
  const startMs = ctx.clock.nowMs();
  const detail =
    step.action === 'promote'
      ? await runbook.promote({ candidate: step.candidate, catchUp: step.catchUp, timeoutMs: step.timeoutMs, signal: ctx.signal }).then((p) => `promoted ${p.node}: ${p.detail}`)
      : await runbook.repoint({ timeoutMs: step.timeoutMs, signal: ctx.signal }).then((r) => `repointed: ${r.detail}`);
  const tookMs = ctx.clock.nowMs() - startMs;
  ctx.note({ atMs: startMs, source: 'runbook', message: `${detail} (${tookMs.toFixed(0)} ms)`, marker: `runbook-${step.action}` });
  ctx.log.info({ action: step.action, tookMs: Math.round(tookMs) }, `runbook: ${detail}`);
}

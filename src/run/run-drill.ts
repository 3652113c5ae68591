import os from 'node:os';
import path from 'node:path';
import type { DrillSpec } from '../spec/schema.js';
import type { FaultRecord, TimelineEvent } from '../measure/types.js';
import type { ResultJson, Verdict } from '../report/result.js';
import { createDocker, checkEngine, engineAddress, engineAnswers, engineDescription, type Docker } from '../engine/docker-client.js';
import { removeDeadRuns, removeRun } from '../engine/resources.js';
import { startStack, stackImages, type StackImages } from '../stacks/registry.js';
import type { Stack } from '../stacks/stack.js';
import { ensureImages } from './preflight-images.js';
import type { InjectedFault } from '../faults/plugin.js';
import { runSteps } from './phases/steps.js';
import { startDetector } from './detector.js';
import { watchStopConditions } from './stop-conditions.js';
import { divergenceOf } from '../measure/divergence.js';
import type { DivergenceResult } from '../report/result.js';
import type { TrackedLoad } from '../load/tracked-load.js';
import { createSpreadLoad } from '../load/multi-load.js';
import { createRunClock } from '../util/clock.js';
import { newRunId } from './run-id.js';
import { PhaseTimer } from './phase-timer.js';
import { buildResult } from './build-result.js';
import { AbortedError, InfraError, errorMessage } from '../util/errors.js';
import { sleep } from '../util/wait.js';
import { registerSecret } from '../util/redact.js';
import type { Logger } from '../util/log.js';

// The pipeline of one run: preflight → up → warm-up → steps → rest of the load → verify → down → report.
// Teardown and the result are in `finally`: a run that fails, is aborted or is interrupted still removes
// everything it created and still writes what it measured.

export interface RunOptions {
  spec: DrillSpec;
  drillFile: { file: string; source: string; sha256: string };
  outDir: string;
  log: Logger;
  /** Aborted on SIGINT/SIGTERM or a stop condition: the run stops waiting, heals, tears down, reports. */
  signal: AbortSignal;
  docker?: Docker;
  readyTimeoutMs?: number;
  /** Leave the stack running after the run (faults still healed) so a person can inspect the data; `drill cleanup` removes it. */
  keepStack?: boolean;
}

export interface RunOutcome {
  result: ResultJson;
  reportDir: string;
}

export async function runDrill(opts: RunOptions): Promise<RunOutcome> {
  const { spec, log } = opts;
  // Secrets are masked in every log line and artefact from here on.
  if ('password' in spec.stack) registerSecret(spec.stack.password);
  // One signal for the run: the caller's (SIGINT/SIGTERM) or a stop condition's, whichever comes first.
  const stopController = new AbortController();
  const signal = AbortSignal.any([opts.signal, stopController.signal]);
  const docker = opts.docker ?? createDocker();
  const { runId, token } = newRunId();
  const run = { runId, token, drillName: spec.name };
  const reportDir = path.join(opts.outDir, runId);
  const clock = createRunClock();
  const phases = new PhaseTimer();
  const events: TimelineEvent[] = [];
  const faults: InjectedFault[] = [];
  const startedAt = new Date();
  const note = (source: TimelineEvent['source'], message: string, marker?: string) => events.push({ atMs: clock.nowMs(), source, message, ...(marker ? { marker } : {}) });

  let stack: Stack | undefined;
  let load: TrackedLoad | undefined;
  let presentIds: Set<number> | null = null;
  let divergence: DivergenceResult | null = null;
  let stopDetector: (() => Promise<void>) | null = null;
  let stopWatching: () => void = () => {};
  let primaryBefore: string | null = null;
  let primaryAfter: string | null = null;
  let engineVersion: string | null = null;
  let images: StackImages | null = null;
  let failure: unknown;
  const log1 = log.child({ run: runId });

  try {
    await phases.time('preflight', async () => {
      engineVersion = (await checkEngine(docker)).version;
      // Leftovers of runs whose runner died (kill -9) are removed; live runs are left alone.
      const swept = await removeDeadRuns(docker);
      if (swept.containers + swept.networks > 0) log1.warn(swept, 'removed leftovers of a dead drill run');
      const networkFaults = spec.steps.some((s) => s.kind === 'fault' && ['partition', 'isolate', 'loss', 'latency'].includes(s.fault));
      images = stackImages(spec.stack, await ensureImages(docker, spec.stack, log1, { networkFaults }));
    });

    stack = await phases.time('up', () =>
      startStack({ docker, run, clock, log: log1, signal, images: images!, readyTimeoutMs: opts.readyTimeoutMs ?? 60_000 }, spec.stack),
    );
    const liveStack = stack;
    primaryBefore = (await liveStack.topology()).primary;
    await liveStack.watch((e) => events.push(e));

    // Load starts warm-up ms before t=0, so `at: 5s` in the drill file is t=5000 on every timeline.
    clock.setOriginNow(spec.load.warmupMs);
    load = createSpreadLoad({ urls: liveStack.appUrls ?? [liveStack.appUrl], rate: spec.load.rate, connections: spec.load.connections, timeoutMs: spec.load.timeoutMs, clock, signal });
    const liveLoad = load;
    await phases.time('warmup', async () => {
      await liveLoad.start();
      note('load', `load started: ${spec.load.rate} writes/s open-loop over ${spec.load.connections} connections`, 'load-start');
      log1.info({ rate: spec.load.rate, connections: spec.load.connections, warmupMs: spec.load.warmupMs }, 'load started');
      await sleep(-clock.nowMs(), signal);
    });

    const detector =
      spec.stack.kind === 'mysql-replication' && spec.stack.failover.mode === 'auto' && liveStack.runbook
        ? startDetector({ runbook: liveStack.runbook, failover: spec.stack.failover, clock, log: log1, signal, note: (e) => events.push(e) })
        : null;
    stopDetector = detector ? () => detector.stop() : null;
    stopWatching = watchStopConditions({
      spec: spec.abortIf,
      load: liveLoad,
      clock,
      stableMs: spec.measure.stableMs,
      firstFaultAtMs: () => faults[0]?.record.injectedAtMs ?? null,
      abort: (reason) => {
        log1.warn({ reason: reason.message }, 'aborting the run');
        events.push({ atMs: clock.nowMs(), source: 'runner', message: reason.message, marker: 'abort' });
        stopController.abort(reason);
      },
    });

    await phases.time('steps', () => runSteps({ spec, run, docker, stack: liveStack, load: liveLoad, clock, log: log1, signal, faults, note: (e) => events.push(e) }));

    await phases.time('load', async () => {
      await sleep(spec.load.durationMs - clock.nowMs(), signal);
      await liveLoad.stop();
      note('load', 'load stopped', 'load-end');
      await stopDetector?.();
      // Faults still in effect end with the load (a killed node without `duration` stays dead: its heal is a no-op).
      for (const f of faults) await f.heal();
    });

    await phases.time('verify', async () => {
      primaryAfter = (await liveStack.topology()).primary;
      // Every surviving node, after a bounded catch-up: the primary for lost writes, the replicas for divergence.
      const nodes = await liveStack.readAllNodes({ catchUpTimeoutMs: 10_000 });
      const checkedAtMs = clock.nowMs();
      presentIds = nodes.find((n) => n.role === 'primary')?.ids ?? null;
      if (!presentIds) throw new InfraError(`could not read the writes back from the primary ${primaryAfter ?? '(none)'}: ${nodes.map((n) => `${n.node}: ${n.error ?? n.role}`).join('; ')}`);
      divergence = divergenceOf(nodes, liveLoad.history(), checkedAtMs);
      for (const n of nodes) note('runner', n.ids ? `read ${n.ids.size} write ids from ${n.role} ${n.container}` : `could not read ${n.container}: ${n.error ?? 'unreachable'}`, 'verify');
    });
  } catch (error) {
    failure = error;
    // A failure anywhere may really be the engine going away: say that, not the symptom.
    if (!signal.aborted && engineVersion !== null && !(await engineAnswers(docker))) {
      failure = new InfraError(`the Docker engine at ${engineAddress()} stopped answering during the run (${errorMessage(error)})`, 'start the engine again; the next `drill run` or `drill cleanup` removes what this run left');
    }
    if (signal.aborted) log1.warn({ reason: errorMessage(signal.reason) }, 'run aborted: healing, tearing down, writing what was measured');
    else log1.error({ err: errorMessage(error) }, 'run failed');
  } finally {
    stopWatching();
    await phases.time('down', async () => {
      await load?.stop().catch((error: unknown) => log1.warn({ err: errorMessage(error) }, 'stopping the load failed'));
      await stopDetector?.().catch(() => {});
      for (const f of faults) {
        await f.heal().catch((error: unknown) => {
          note('runner', `heal failed: ${errorMessage(error)}`, 'heal-error');
          log1.warn({ err: errorMessage(error) }, 'heal failed');
        });
      }
      await stack?.close().catch(() => {});
      // No engine at preflight: nothing was created, so there is nothing to remove.
      if (engineVersion === null) return;
      if (opts.keepStack) {
        note('runner', 'stack kept running on request (--keep-stack): `drill cleanup` removes it', 'stack-kept');
        log1.warn({ containers: stack?.containers.map((c) => `${c.node}=${c.name} 127.0.0.1:${Object.values(c.ports).join(',')}`) }, 'stack kept running (--keep-stack); remove it with `drill cleanup`');
        return;
      }
      // Teardown always runs and never hides the run's own error; a teardown error is reported too.
      const removed = await removeRun(docker, runId).catch((error) => ({ containers: 0, networks: 0, errors: [errorMessage(error)] }));
      if (removed.errors.length) {
        note('runner', `teardown left resources behind: ${removed.errors.join('; ')}`, 'teardown-error');
        log1.error({ errors: removed.errors }, 'teardown left resources behind: the next run or `drill cleanup` removes them (labelled)');
        failure ??= new InfraError(`teardown failed: ${removed.errors.join('; ')}`);
      } else {
        log1.info({ containers: removed.containers, networks: removed.networks }, 'stack removed');
      }
    });
  }

  const faultRecords: FaultRecord[] = faults.map((f) => f.record);
  const verdictOverride: { verdict: Verdict; reason: string } | null = failure
    ? signal.aborted || failure instanceof AbortedError
      ? { verdict: 'aborted', reason: errorMessage(signal.aborted ? signal.reason : failure) }
      : { verdict: 'error', reason: errorMessage(failure) + (failure instanceof InfraError && failure.hint ? ` (${failure.hint})` : '') }
    : null;
  const result: ResultJson = buildResult({
    runId,
    spec,
    drillFile: opts.drillFile,
    startedAt,
    clock,
    history: load?.history() ?? [],
    loadStats: load?.stats() ?? null,
    faults: faultRecords,
    presentIds,
    divergence,
    events,
    verdictOverride,
    stack: { kind: spec.stack.kind, primaryBefore, primaryAfter, containers: (stack?.containers ?? []).map((c) => ({ name: c.name, role: c.role, image: c.image })) },
    phasesMs: phases.phasesMs,
    environment: { dockerEngine: engineVersion, dockerHost: engineDescription(), images: { ...(images ?? {}) }, host: `${os.hostname()} ${os.platform()} ${os.release()} ${os.cpus().length} cpu` },
  });
  return { result, reportDir };
}

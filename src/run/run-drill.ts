import path from 'node:path';
import { createDocker } from '../engine/docker-client.js';
import { faultPlugins } from '../faults/registry.js';
import { layerPlugins } from '../layers/registry.js';
import { createSpreadLoad } from '../load/multi-load.js';
import type { ResultJson } from '../report/result.js';
import { runbookActions } from '../runbook/registry.js';
import { stackPlugins } from '../stacks/registry.js';
import { registerSecret } from '../util/redact.js';
import { buildResult } from './build-result.js';
import { recordFailure } from './failure.js';
import { RunJournal, type PhaseName } from './journal.js';
import { down } from './phases/down.js';
import { finishLoad } from './phases/finish-load.js';
import { preflight } from './phases/preflight.js';
import { steps } from './phases/steps.js';
import { up } from './phases/up.js';
import { verify } from './phases/verify.js';
import { warmup } from './phases/warmup.js';
import { newRunId } from './run-id.js';
import { trackRun } from './emergency.js';
import { liveRun } from './live-run.js';
import { testHang } from './test-hang.js';
import type { RunDeps, RunOptions, RunState } from './run-state.js';

export type { RunDeps, RunOptions } from './run-state.js';

// One run: preflight → up → warm-up → steps → rest of the load → verify, then down whatever happened.
// Each phase appends to the run journal; result.json is rendered from it, so a run that fails, is
// aborted or is interrupted still removes everything it created and still reports what it measured.

export interface RunOutcome {
  result: ResultJson;
  /** Where the outputs of this run belong: outDir/<runId>. */
  reportDir: string;
  journal: RunJournal;
}

const PHASES: readonly [PhaseName, (run: RunState) => Promise<void>][] = [
  ['preflight', preflight],
  ['up', up],
  ['warmup', warmup],
  ['steps', steps],
  ['load', finishLoad],
  ['verify', verify],
];

export async function runDrill(opts: RunOptions): Promise<RunOutcome> {
  const run = newRun(opts);
  opts.observe?.(liveRun(run));
  const untrack = trackRun(run);
  try {
    for (const [name, phase] of PHASES) await run.journal.phase(name, () => testHang(name).then(() => phase(run)));
  } catch (error) {
    await recordFailure(run, error);
  } finally {
    await run.journal.phase('down', () => down(run));
    untrack();
  }
  return { result: buildResult(run), reportDir: path.join(opts.outDir, run.journal.runId), journal: run.journal };
}

/** A run's state before its first phase (exported for bench/stack-up.ts, which runs only preflight, up and down). */
export function newRun(opts: RunOptions): RunState {
  const { spec } = opts.drill;
  // Secrets are masked in every log line and artefact from here on.
  if ('password' in spec.stack && spec.stack.password) registerSecret(spec.stack.password);
  // One signal for the run: the caller's (SIGINT/SIGTERM) or a stop condition's, whichever comes first.
  const stopController = new AbortController();
  const { runId, token } = newRunId();
  const deps: RunDeps = {
    docker: opts.deps?.docker ?? createDocker(),
    stacks: stackPlugins,
    layers: layerPlugins,
    faults: faultPlugins,
    actions: runbookActions,
    createLoad: createSpreadLoad,
    ...opts.deps,
  };
  return {
    spec,
    opts,
    deps,
    journal: new RunJournal(runId, token, spec.name),
    log: opts.log.child({ run: runId }),
    signal: AbortSignal.any([opts.signal, stopController.signal]),
    abort: (reason) => {
      stopController.abort(reason);
    },
    live: [],
    layers: [],
    watchers: [],
  };
}

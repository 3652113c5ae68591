import type { LoadedDrill } from '../spec/load-drill.js';
import type { DrillSpec } from '../spec/schema.js';
import type { Docker } from '../engine/docker-client.js';
import type { EngineEventLog } from '../engine/engine-events.js';
import type { FaultPlugins, InjectedFault } from '../faults/plugin.js';
import type { PrewarmedHelpers } from '../faults/network/prewarm.js';
import type { TrackedLoad } from '../load/tracked-load.js';
import type { ReadLoad } from '../load/read-load.js';
import type { RunbookActions } from '../runbook/plugin.js';
import type { Layer, LayerPlugins } from '../layers/plugin.js';
import type { StackPlugins } from '../stacks/plugin.js';
import type { Stack } from '../stacks/stack.js';
import type { AbortedError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { RunClock } from '../util/clock.js';
import type { RunJournal } from './journal.js';
import type { LiveRun } from './live-view.js';

// What the phases of one run share: the drill, the journal they append to, the live parts (stack, load,
// faults in effect, watchers) and the dependencies, which tests replace with fakes.

export interface LoadOptions {
  urls: string[];
  rate: number;
  connections: number;
  timeoutMs: number;
  clock: RunClock;
  signal?: AbortSignal;
  /** Id of the first write (default 1): the probe stream's range starts at PROBE_FIRST_ID. */
  firstId?: number;
  /** Keyed writes (load.reads): write id N is the new version of key N mod keys. */
  keys?: number;
}

/** The parts a run is made of. Defaults: the real engine, every plugin, the tracked autocannon load. */
export interface RunDeps {
  docker: Docker;
  stacks: StackPlugins;
  layers: LayerPlugins;
  faults: FaultPlugins;
  actions: RunbookActions;
  createLoad(opts: LoadOptions): TrackedLoad;
}

export interface RunOptions {
  drill: LoadedDrill;
  /** Reports go to outDir/<runId>/. */
  outDir: string;
  log: Logger;
  /** Aborted on SIGINT/SIGTERM (or by a program): the run stops waiting, heals, tears down, reports. */
  signal: AbortSignal;
  readyTimeoutMs?: number;
  /** Leave the stack running after the run (faults still healed) so a person can inspect the data; `drill cleanup` removes it. */
  keepStack?: boolean;
  deps?: Partial<RunDeps>;
  /** Called once as the run starts, with a read-only live view to read on a timer (the CLI's progress line). */
  observe?: (live: LiveRun) => void;
}

export interface RunState {
  readonly spec: DrillSpec;
  readonly opts: RunOptions;
  readonly deps: RunDeps;
  readonly journal: RunJournal;
  readonly log: Logger;
  /** The caller's signal or a stop condition's, whichever comes first. */
  readonly signal: AbortSignal;
  /** Abort the run from inside (a stop condition). */
  abort(reason: AbortedError): void;
  stack?: Stack;
  /** The engine's container events, followed from preflight on (local engines). */
  engineEvents?: EngineEventLog;
  /** Layers started beside the stack, in the drill file's order. */
  readonly layers: Layer[];
  load?: TrackedLoad;
  /** The tracked reads (load.reads), beside the writes. */
  reads?: ReadLoad;
  /** The probe stream (run/probe-stream.ts), from just before the first fault until writes recover. */
  probe?: TrackedLoad;
  /** The network faults' helpers, started during the warm-up and held until teardown (faults/network/prewarm.ts). */
  networkHelpers?: PrewarmedHelpers;
  /** Whether this run holds a reference to the process's warm freezer cgroup (faults/container/freezer-warm.ts), dropped in teardown. */
  freezerWarm?: boolean;
  /** Faults injected so far (healed at the end of the load, or in teardown). */
  readonly live: InjectedFault[];
  /** Watchers started during the steps (detector, stop conditions): stopped with the load and in teardown. */
  readonly watchers: (() => Promise<void>)[];
}

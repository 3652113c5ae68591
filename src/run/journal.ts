import { performance } from 'node:perf_hooks';
import type { WriteRecord } from '../load/history.js';
import type { ReadLoadStats, ReadRecord } from '../load/read-load.js';
import type { TrackedLoadStats } from '../load/tracked-load.js';
import type { MarkerKind } from '../measure/markers.js';
import type { DivergenceResult, EventRecord, EventSource, FaultRecord, NodeLog, TimelineEvent } from '../measure/types.js';
import type { LayerResult } from '../layers/result.js';
import type { StackImages } from '../stacks/plugin.js';
import { createRunClock, type RunClock } from '../util/clock.js';

// The run journal: everything one run learns, appended by its phases in the order it happens. It is the
// only state the phases share, and result.json (build-result.ts) and every output are rendered from it,
// so a run that fails half-way still reports all it saw.

export type PhaseName = 'preflight' | 'up' | 'warmup' | 'steps' | 'load' | 'verify' | 'down';

export interface PhaseEntry {
  phase: PhaseName;
  /** Run-clock ms (the origin moves when the load starts: entries before it are relative to the old origin, so durations come from wall time). */
  durationMs: number;
  /** The error that ended the phase, in words. */
  error?: string;
}

export class RunJournal {
  readonly clock: RunClock = createRunClock();
  readonly startedAt = new Date();
  readonly events: TimelineEvent[] = [];
  /** Fault records as injected; heals complete them in place. */
  readonly faults: FaultRecord[] = [];
  /** The drill's events in order (each fault, switchover, failback, rejoin): each is measured on its own window. */
  readonly drillEvents: EventRecord[] = [];
  readonly phases: PhaseEntry[] = [];
  /** Each phase as it starts (performance.now() ms), for live progress: a phase shorter than a display tick still shows. */
  readonly phaseStarts: { phase: PhaseName; atPerfMs: number }[] = [];
  /** A point-in-time restore's recovery point (run-clock ms): missing writes acknowledged after it were discarded on purpose, not lost. */
  recoveryPointMs: number | null = null;
  engineVersion: string | null = null;
  images: StackImages | null = null;
  stack: { primaryBefore: string | null; primaryAfter: string | null; containers: { name: string; role: string; image: string }[] } = { primaryBefore: null, primaryAfter: null, containers: [] };
  load: { history: WriteRecord[]; stats: TrackedLoadStats } | null = null;
  /** The tracked reads (load.reads), when the drill declares them. */
  reads: { history: ReadRecord[]; stats: ReadLoadStats } | null = null;
  /** The probe stream's record (run/probe-stream.ts), when it ran. */
  probe: { history: WriteRecord[]; stats: TrackedLoadStats } | null = null;
  /** Ids read back from the surviving primary (null: could not be read) and the replicas' divergence. */
  verification: { presentIds: ReadonlySet<number> | null; divergence: DivergenceResult | null } = { presentIds: null, divergence: null };
  /** Each layer's records and checks, in the drill file's order. */
  readonly layers: LayerResult[] = [];
  /** Every container's log, read before teardown (saved as logs/<node>.log). */
  logs: NodeLog[] = [];
  /** What ended the run early, if anything (the verdict is then error or aborted, with this reason). */
  failure: unknown = undefined;

  constructor(
    readonly runId: string,
    readonly token: string,
    readonly drillName: string,
  ) {}

  /** An event now, in the runner's words. */
  note(source: EventSource, message: string, marker?: MarkerKind): void {
    this.events.push({ atMs: this.clock.nowMs(), source, message, ...(marker ? { marker } : {}) });
  }

  /** An event with its own time (the system's evidence, a fault's instant). */
  record(event: TimelineEvent): void {
    this.events.push(event);
  }

  /** Wall time spent in each phase (summed over repeats), for result.json and the overhead benchmark. */
  get phasesMs(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.phases) out[p.phase] = Math.round((out[p.phase] ?? 0) + p.durationMs);
    return out;
  }

  /** Run a phase, timed; its error is recorded and thrown on. */
  async phase<T>(phase: PhaseName, fn: () => Promise<T>): Promise<T> {
    // performance.now() directly: the run clock's origin moves when the load starts.
    const start = performance.now();
    this.phaseStarts.push({ phase, atPerfMs: start });
    try {
      const value = await fn();
      this.phases.push({ phase, durationMs: performance.now() - start });
      return value;
    } catch (error) {
      this.phases.push({ phase, durationMs: performance.now() - start, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }
}

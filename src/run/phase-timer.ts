import { performance } from 'node:perf_hooks';

/** Wall time spent in each phase of a run, for the report and the overhead benchmark. */
export class PhaseTimer {
  readonly phasesMs: Record<string, number> = {};

  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    // performance.now() directly: the run clock's origin moves when load starts.
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.phasesMs[phase] = Math.round((this.phasesMs[phase] ?? 0) + performance.now() - start);
    }
  }
}

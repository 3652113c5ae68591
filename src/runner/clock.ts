import { performance } from 'node:perf_hooks';

/**
 * The run clock. performance.now() is monotonic (wall-clock jumps cannot bend an RTO) and has
 * sub-millisecond resolution. A run picks its origin once; every recorded time is relative to it.
 */
export interface RunClock {
  /** ms since the origin (negative before it). */
  nowMs(): number;
  /** Move the origin to "now": used when warm-up ends, so step times read as in the drill file. */
  setOriginNow(): void;
  /** Wall-clock epoch ms of a run-clock time: used to place engine timestamps on the timeline. */
  toEpochMs(runMs: number): number;
  /** Run-clock time of a wall-clock epoch ms (e.g. a Docker event or a log line). */
  fromEpochMs(epochMs: number): number;
}

export function createRunClock(): RunClock {
  let originPerfMs = performance.now();
  return {
    nowMs: () => performance.now() - originPerfMs,
    setOriginNow: () => {
      originPerfMs = performance.now();
    },
    toEpochMs: (runMs) => performance.timeOrigin + originPerfMs + runMs,
    fromEpochMs: (epochMs) => epochMs - performance.timeOrigin - originPerfMs,
  };
}

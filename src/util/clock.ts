import { performance } from 'node:perf_hooks';

/**
 * The run clock. performance.now() is monotonic (wall-clock jumps cannot bend an RTO) and has
 * sub-millisecond resolution. A run picks its origin once; every recorded time is relative to it.
 */
export interface RunClock {
  /** ms since the origin (negative before it). */
  nowMs(): number;
  /** Put the origin offsetMs after "now": set as load starts, with the warm-up as offset, so 0 = end of
   *  warm-up and step times read as in the drill file. */
  setOriginNow(offsetMs?: number): void;
  /** Wall-clock epoch ms of a run-clock time: used to place engine timestamps on the timeline. */
  toEpochMs(runMs: number): number;
  /** Run-clock time of a wall-clock epoch ms (e.g. a Docker event or a log line). */
  fromEpochMs(epochMs: number): number;
}

export function createRunClock(): RunClock {
  let originPerfMs = performance.now();
  return {
    nowMs: () => performance.now() - originPerfMs,
    setOriginNow: (offsetMs = 0) => {
      originPerfMs = performance.now() + offsetMs;
    },
    toEpochMs: (runMs) => performance.timeOrigin + originPerfMs + runMs,
    fromEpochMs: (epochMs) => epochMs - performance.timeOrigin - originPerfMs,
  };
}

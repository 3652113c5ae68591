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

/**
 * Wall clock minus performance.now(), to a few µs: Date.now() is read until it ticks to a new ms, and
 * performance.now() right after, when the wall clock is that ms plus the few µs of one read. The largest of
 * three samples (each can only come out low). Costs up to 3 ms of spinning.
 */
export function measureEpochOffsetMs(): number {
  let best = -Infinity;
  for (let i = 0; i < 3; i++) {
    const start = Date.now();
    let tick = start;
    let perf = performance.now();
    while (tick === start) {
      tick = Date.now();
      perf = performance.now();
    }
    best = Math.max(best, tick - perf);
  }
  return best;
}

export function createRunClock(): RunClock {
  let originPerfMs = performance.now();
  // Engine events, log lines and stamps taken in the nodes are on the host's wall clock. The offset is
  // measured afresh for each run (each has its clock, made before anything starts), not taken from
  // performance.timeOrigin (the process's start): in a long-lived `drill schedule` the wall clock may have
  // been stepped since then. Not again in setOriginNow: the load is running then and must not be stalled.
  const epochOffsetMs = measureEpochOffsetMs();
  return {
    nowMs: () => performance.now() - originPerfMs,
    setOriginNow: (offsetMs = 0) => {
      originPerfMs = performance.now() + offsetMs;
    },
    toEpochMs: (runMs) => epochOffsetMs + originPerfMs + runMs,
    fromEpochMs: (epochMs) => epochMs - epochOffsetMs - originPerfMs,
  };
}

import type { RunClock } from '../util/clock.js';
import type { WriteRecord } from './history.js';
import { createTrackedLoad, type TrackedLoad, type TrackedLoadStats } from './tracked-load.js';

/** Ids of the k-th target start at firstId (1) + k × this: one history, no id shared between two apps. */
export const ID_RANGE_PER_TARGET = 1_000_000_000;

/**
 * The declared load spread evenly over several app instances (split-brain drills put one on each side
 * of a partition). One history: ids are unique across targets, records are merged in invoke order.
 */
export function createSpreadLoad(opts: { urls: string[]; rate: number; connections: number; timeoutMs: number; clock: RunClock; signal?: AbortSignal; firstId?: number; keys?: number }): TrackedLoad {
  if (opts.urls.length === 1) return createTrackedLoad({ ...opts, url: opts.urls[0]! });
  const n = opts.urls.length;
  const loads = opts.urls.map((url, k) =>
    createTrackedLoad({
      url,
      rate: opts.rate / n,
      connections: Math.max(1, Math.round(opts.connections / n)),
      timeoutMs: opts.timeoutMs,
      clock: opts.clock,
      signal: opts.signal,
      firstId: (opts.firstId ?? 1) + k * ID_RANGE_PER_TARGET,
      ...(opts.keys === undefined ? {} : { keys: opts.keys }),
    }),
  );
  return {
    start: async () => {
      await Promise.all(loads.map((l) => l.start()));
    },
    stop: async () => {
      await Promise.all(loads.map((l) => l.stop()));
    },
    history: (): WriteRecord[] => loads.flatMap((l) => l.history()).sort((a, b) => a.invokeMs - b.invokeMs),
    stats: (): TrackedLoadStats => {
      const all = loads.map((l) => l.stats());
      const sum = (key: Exclude<keyof TrackedLoadStats, 'maxSendLagMs'>) => all.reduce((s, x) => s + x[key], 0);
      return {
        sentWrites: sum('sentWrites'),
        lateSends: sum('lateSends'),
        maxSendLagMs: Math.max(...all.map((x) => x.maxSendLagMs)),
        inFlight: sum('inFlight'),
        ok: sum('ok'),
        fail: sum('fail'),
        unknown: sum('unknown'),
        droppedSlots: sum('droppedSlots'),
      };
    },
    onComplete: (listener) => {
      loads.forEach((l) => {
        l.onComplete(listener);
      });
    },
  };
}

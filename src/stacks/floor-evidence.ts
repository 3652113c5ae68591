import type { FaultRecord, LogLine } from '../measure/types.js';
import { epochMsOfRfc3339 } from '../util/rfc3339.js';

// What the recovery floors (recovery-floor.ts) share: which fault took a node away, from when, and a
// line's own stamp placed on the run clock.

/** Faults after which a node serves nothing until started again (a pause keeps its connections, which then say nothing). */
const GONE: ReadonlySet<string> = new Set(['kill', 'stop', 'destroy']);
/** A process's own stamp is taken before the engine reads the line: more than this after it, the clocks disagree. */
const STAMP_AFTER_ENGINE_MAX_MS = 1;
/** The engine's stamp is placed on the run clock to 0.1 ms (container-logs.ts): kept below the floor. */
const ALIGN_MARGIN_MS = 0.1;

/** A fault that took the container away, injected on it. */
const tookAway = (f: FaultRecord, container: string): boolean => f.container === container && GONE.has(f.kind);

/** The first fault that took the container away. */
export function goneFault(faults: readonly FaultRecord[], container: string): FaultRecord | null {
  return faults.find((f) => tookAway(f, container)) ?? null;
}

/**
 * The first fault that left no path between the container and any of the others: taken away itself, or a
 * partition or isolation with it in one group and each of the others in another.
 */
export function cutOffFault(faults: readonly FaultRecord[], container: string, others: readonly string[]): FaultRecord | null {
  return (
    faults.find((f) => {
      if (tookAway(f, container)) return true;
      if (!f.groups) return false;
      const groupOf = (c: string) => f.groups!.findIndex((g) => g.includes(c));
      const mine = groupOf(container);
      return mine >= 0 && others.every((o) => groupOf(o) >= 0 && groupOf(o) !== mine);
    }) ?? null
  );
}

/**
 * When the node's processes were certainly all gone: its container's exit as the engine saw it (the signal
 * reaches every process a few ms after the init's SIGKILL: a dying HAProxy answered a write 6 ms after
 * it), or the call's return where the call waits for it (destroy removes the container; kill-process
 * proves with pgrep that none of its name is left); null when neither is known.
 */
export function goneByMs(f: FaultRecord): number | null {
  if (f.goneByMs !== undefined) return f.goneByMs;
  return f.kind === 'destroy' || f.kind === 'kill-process' ? f.injectReturnedAtMs : null;
}

/** When the fault was certainly in effect. */
export function effectByMs(f: FaultRecord): number {
  return f.effectByMs ?? f.injectReturnedAtMs;
}

/**
 * The lines `pattern` matches and `keep` keeps, each placed on the run clock by its own stamp (group 1:
 * epoch µs) and turned into `make`; null when one of them cannot be placed (its writer's clock is not the run's).
 */
export function ownStampedMatches<T>(lines: readonly LogLine[], pattern: RegExp, keep: (m: RegExpExecArray) => boolean, make: (atMs: number, m: RegExpExecArray) => T): T[] | null {
  const out: T[] = [];
  for (const line of lines) {
    const m = pattern.exec(line.text.trim());
    if (!m || !keep(m)) continue;
    const atMs = ownStampOnRunClock(line, Number(m[1]) / 1000);
    if (atMs === null) return null;
    out.push(make(atMs, m));
  }
  return out;
}

/** A line's own stamp (epoch ms, taken by the process that wrote it) on the run clock, through the engine's stamp of the same line. */
export function ownStampOnRunClock(line: LogLine, ownEpochMs: number): number | null {
  const engineEpochMs = epochMsOfRfc3339(line.stamp);
  if (engineEpochMs === null || line.atMs === null || Number.isNaN(ownEpochMs) || ownEpochMs > engineEpochMs + STAMP_AFTER_ENGINE_MAX_MS) return null;
  return line.atMs - (engineEpochMs - ownEpochMs) - ALIGN_MARGIN_MS;
}

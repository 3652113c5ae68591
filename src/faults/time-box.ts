import type { FaultRecord } from '../measure/types.js';
import { errorMessage } from '../util/errors.js';
import type { FaultContext, InjectedFault } from './plugin.js';

// The life of an injected fault, whatever it acts on: the record (t_fault = start of the injecting call;
// the fault is certainly in effect when the call returned), a self-heal `duration` after the effect is in
// place (the end of the injecting call, not its start: a slow install must not shorten the fault, and the
// probe that verifies it runs inside the box, never shortening it either), and a heal() that runs once
// however often it is called (end of run, abort, Ctrl-C, the timer); a heal that failed may be tried again.
// A heal is reported only once undo() has returned, i.e. once the fault's own proof that it is gone holds.

export interface Injected {
  injectedAtMs: number;
  injectReturnedAtMs: number;
  /**
   * Undo the fault; null when there is nothing to undo (a kill without `duration`: the dead stay dead).
   * May return, in words, the proof that the fault is gone (a network fault re-runs its probe), or what
   * bounds the instant the heal took effect (a pause's thaw read off the freezer).
   */
  undo: (() => Promise<unknown>) | null;
  /** What the record adds for this kind of fault (e.g. a network fault's mechanism and probe outcome). */
  details?: Partial<FaultRecord>;
}

/** When a heal took effect, seen by the fault itself: after fromMs, by byMs (run clock); and its proof, if any. */
export interface HealSeen {
  fromMs: number;
  byMs: number;
  proof?: string;
}

const isHealSeen = (v: unknown): v is HealSeen => typeof v === 'object' && v !== null && typeof (v as HealSeen).fromMs === 'number' && typeof (v as HealSeen).byMs === 'number';

export function timeBox(ctx: FaultContext, fault: { kind: string; target: string; container: string; durationMs: number | undefined }, injected: Injected): InjectedFault {
  const record: FaultRecord = {
    kind: fault.kind,
    target: fault.target,
    container: fault.container,
    injectedAtMs: injected.injectedAtMs,
    injectReturnedAtMs: injected.injectReturnedAtMs,
    ...injected.details,
  };
  const callMs = +(injected.injectReturnedAtMs - injected.injectedAtMs).toFixed(1);
  ctx.log.info({ fault: fault.kind, container: fault.container, mechanism: record.mechanism, callMs, healAfterMs: fault.durationMs }, `fault injected: ${fault.kind}`);

  const undo = injected.undo;
  let healing: Promise<void> | null = null;
  const heal = (why: string): Promise<void> => {
    if (!undo) return Promise.resolve();
    healing ??= (async () => {
      clearTimeout(timer);
      const startMs = ctx.clock.nowMs();
      const proof = await undo();
      const endMs = ctx.clock.nowMs();
      record.healedAtMs = startMs;
      record.healReturnedAtMs = endMs;
      const seen = isHealSeen(proof) ? proof : null;
      const words = seen ? seen.proof : typeof proof === 'string' ? proof : undefined;
      if (words) record.healVerified = words;
      if (seen) {
        record.healFromMs = Math.max(startMs, seen.fromMs);
        record.healByMs = Math.min(endMs, Math.max(record.healFromMs, seen.byMs));
      }
      ctx.note({
        atMs: startMs,
        source: 'runner',
        message: `healed ${fault.kind} of ${fault.container} (${why}, ${(endMs - startMs).toFixed(0)} ms)${words ? `: ${words}` : ''}`,
        marker: 'heal',
      });
    })().catch((error: unknown) => {
      healing = null; // undo() is safe to repeat: the next heal() starts over
      throw error;
    });
    return healing;
  };
  const timer =
    fault.durationMs !== undefined && undo
      ? setTimeout(
          () => {
            heal(`after ${fault.durationMs} ms`).catch((error: unknown) => {
              ctx.note({ atMs: ctx.clock.nowMs(), source: 'runner', message: `self-heal of ${fault.kind} (${fault.container}) failed: ${errorMessage(error)}`, marker: 'heal-error' });
            });
            // +1 ms: Node's timers may fire a fraction of a millisecond early; never heal before `duration`.
          },
          Math.max(0, Math.ceil(fault.durationMs - (ctx.clock.nowMs() - injected.injectReturnedAtMs)) + 1),
        )
      : undefined;
  return { record, heal: () => heal('end of run') };
}

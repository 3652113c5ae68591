import type { FaultRecord } from '../measure/types.js';
import { errorMessage } from '../util/errors.js';
import type { FaultContext, InjectedFault } from './fault.js';

// The life of an injected fault, whatever it acts on: the record (t_fault = start of the injecting call;
// the fault is certainly in effect when the call returned), a self-heal after `duration`, and a heal()
// that runs once however often it is called (end of run, abort, Ctrl-C, the timer); a heal that failed
// may be tried again.

export interface Injected {
  injectedAtMs: number;
  injectReturnedAtMs: number;
  /** Undo the fault; null when there is nothing to undo (a kill without `duration`: the dead stay dead). */
  undo: (() => Promise<void>) | null;
  /** What the record adds for this kind of fault (e.g. a network fault's mechanism and probe outcome). */
  details?: Partial<FaultRecord>;
}

export function timeBoxed(ctx: FaultContext, fault: { kind: string; target: string; container: string; durationMs: number | undefined }, injected: Injected): InjectedFault {
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
      await undo();
      record.healedAtMs = startMs;
      ctx.note({ atMs: startMs, source: 'runner', message: `healed ${fault.kind} of ${fault.container} (${why}, ${(ctx.clock.nowMs() - startMs).toFixed(0)} ms)`, marker: 'heal' });
    })().catch((error: unknown) => {
      healing = null; // undo() is safe to repeat: the next heal() starts over
      throw error;
    });
    return healing;
  };
  const timer =
    fault.durationMs !== undefined && undo
      ? setTimeout(() => {
          heal(`after ${fault.durationMs} ms`).catch((error) => ctx.note({ atMs: ctx.clock.nowMs(), source: 'runner', message: `self-heal of ${fault.kind} (${fault.container}) failed: ${errorMessage(error)}`, marker: 'heal-error' }));
          // +1 ms: Node's timers may fire a fraction of a millisecond early; never heal before `duration`.
        }, Math.max(0, Math.ceil(fault.durationMs - (ctx.clock.nowMs() - injected.injectedAtMs)) + 1))
      : undefined;
  return { record, heal: () => heal('end of run') };
}
